"""The therapist workspace (server-rendered pages)."""
from hep.therapist import (
    clinical_views,  # noqa: F401  (registers the clinical-record pages on bp)
    data_rights_views,  # noqa: F401  (the audit trail and erasure pages)
)
from hep.therapist.views import bp

__all__ = ["bp"]
