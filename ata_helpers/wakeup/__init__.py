"""Wake-up calls: an alarm (schedule), where alarms are kept (store), the scheduler that rings
them (scheduler) and the same alarm for cron, systemd or Home Assistant (exports)."""

from __future__ import annotations

from .schedule import WakeUpCall

__all__ = ["WakeUpCall"]
