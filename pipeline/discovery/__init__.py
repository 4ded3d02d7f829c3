"""Discovery: the daily tick checks each publisher's page for an edition newer than the newest in
data/raw and downloads it as a whole, verified release folder (see docs/architecture.md §19).

Off unless ``DEFENCE_DISCOVERY=on`` (:mod:`pipeline.discovery.settings`): nothing here reaches the
network otherwise.
"""

from pipeline.discovery.pages import DiscoveryError, LayoutChanged
from pipeline.discovery.run import Outcome, discover
from pipeline.discovery.settings import enabled

__all__ = ["DiscoveryError", "LayoutChanged", "Outcome", "discover", "enabled"]
