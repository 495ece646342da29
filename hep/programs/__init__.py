"""Programs: assigning a phased program as a new version (history kept), and how a version
and its prescriptions are shown."""
