"""The therapist's clinical side: the bridge from rows to the clinical engine, the patient
summary, who needs attention and why, assessments, thresholds, graded exposure and outcome
measures."""
