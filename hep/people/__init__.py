"""People: therapist and patient accounts, signing in and out, join links, the one
ownership check, and the audit trail."""
