"""peewee models by domain. ``ALL_MODELS`` lists them in dependency order."""
from hep.models.accounts import PasswordReset, RecoveryCode, SecondFactor
from hep.models.alerts import Alert, AlertNotification, StaffPushSubscription
from hep.models.audit import AuditEvent
from hep.models.clinical import Assessment, ExposureSession, HierarchyItem, QuestionnaireResponse
from hep.models.devices import DeviceSession
from hep.models.library import EducationCard, Exercise
from hep.models.logs import CheckIn, Completion
from hep.models.messages import Message
from hep.models.monitoring import TimeLogEntry
from hep.models.people import Clinic, Invite, Patient, User
from hep.models.programs import Prescription, Program, ProgramTemplate, ProgramVersion
from hep.models.push import DeliveryAttempt, PushSubscription, ReminderDelivery, ReminderSchedule

ALL_MODELS = (
    Clinic, User, Patient, Invite, DeviceSession,
    Exercise, EducationCard,
    Program, ProgramVersion, Prescription, ProgramTemplate,
    Completion, CheckIn,
    Assessment, HierarchyItem, ExposureSession, QuestionnaireResponse,
    PushSubscription, ReminderSchedule, ReminderDelivery, DeliveryAttempt,
    AuditEvent,
    Alert, StaffPushSubscription, AlertNotification,
    SecondFactor, RecoveryCode, PasswordReset,
    TimeLogEntry,
    Message,
)

__all__ = [model.__name__ for model in ALL_MODELS] + ["ALL_MODELS"]
