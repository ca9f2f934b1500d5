"""Maker-checker: a proposed action (who, what, why) runs only when a different authorised person
of the same organisation approves it, inside one transaction (architecture.md "Integrity").

Apps declare their actions with `approvals.action(...)` (see registry.py); the services propose,
approve, reject and withdraw proposals.
"""

from patientcap.approvals.registry import Action, action, actions, get_action, register_action

__all__ = ["Action", "action", "actions", "get_action", "register_action"]
