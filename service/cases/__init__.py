"""Cases: opening them, taking actions, their deadlines, effects, notifications, views and visibility.

`lifecycle` holds the two use cases that write (open a case, take an action), each one transaction; the other
modules are the parts an accepted action touches. Import the use cases from here.
"""

from service.cases.lifecycle import Outcome, allowed_actions, apply_action, take
from service.cases.opening import open_case
from service.cases.situation import Situation, load, situation

__all__ = ["Outcome", "Situation", "allowed_actions", "apply_action", "load", "open_case", "situation", "take"]
