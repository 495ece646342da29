"""The therapist workspace (server-rendered pages)."""
from hep.therapist.views import bp

__all__ = ["bp"]
