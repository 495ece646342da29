"""peewee models by domain. ``ALL_MODELS`` lists them in dependency order."""
from hep.models.people import Clinic, User, Patient, Invite
from hep.models.library import Exercise, EducationCard
from hep.models.programs import Program, ProgramVersion, Prescription
from hep.models.logs import Completion, CheckIn
from hep.models.clinical import Assessment, HierarchyItem, ExposureSession, QuestionnaireResponse
from hep.models.push import PushSubscription, ReminderSchedule, ReminderDelivery, DeliveryAttempt
from hep.models.audit import AuditEvent
from hep.models.alerts import Alert, StaffPushSubscription, AlertNotification

ALL_MODELS = (
    Clinic, User, Patient, Invite,
    Exercise, EducationCard,
    Program, ProgramVersion, Prescription,
    Completion, CheckIn,
    Assessment, HierarchyItem, ExposureSession, QuestionnaireResponse,
    PushSubscription, ReminderSchedule, ReminderDelivery, DeliveryAttempt,
    AuditEvent,
    Alert, StaffPushSubscription, AlertNotification,
)

__all__ = [model.__name__ for model in ALL_MODELS] + ["ALL_MODELS"]
