"""The patient's log: completions and their corrections, check-ins, the replay rules for
records made offline, the one count of sessions done, today's list and progress."""
