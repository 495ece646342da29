"""The therapist workspace (server-rendered pages)."""
from hep.therapist import (
    account_views,  # noqa: F401  (registers the sign-in steps and account pages on bp)
    admin_views,  # noqa: F401  (the clinic admin's page: therapists and reassigning patients)
    apply_views,  # noqa: F401  (applying a recommendation, after a confirmation page)
    clinical_views,  # noqa: F401  (registers the clinical-record pages on bp)
    data_rights_views,  # noqa: F401  (the audit trail and erasure pages)
    device_views,  # noqa: F401  (registers signing a patient's device out on bp)
    library_views,  # noqa: F401  (the clinic's own exercises and their pictures and videos)
    message_views,  # noqa: F401  (writing to a patient from the patient page)
    monitoring_views,  # noqa: F401  (the time log and the monthly remote-monitoring CSV)
    sharing_views,  # noqa: F401  (e-mailing the join link, the printable handout, the patient preview)
)
from hep.therapist.views import bp

__all__ = ["bp"]
