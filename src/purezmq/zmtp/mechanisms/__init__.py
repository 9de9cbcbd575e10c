"""Security mechanisms behind the ``Mechanism`` interface (base.py): NULL here; PLAIN and CURVE
plug in the same way."""

from __future__ import annotations

from .base import Mechanism, MechanismStatus, check_zap_status
from .null import NullMechanism

__all__ = ["Mechanism", "MechanismStatus", "NullMechanism", "check_zap_status"]
