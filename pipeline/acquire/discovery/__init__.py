"""Discovery: the daily tick checks each publisher's page for an edition newer than the newest in
data/raw and downloads it as a whole, verified release folder (see docs/architecture.md §11).

Off unless ``DEFENCE_DISCOVERY=on`` (:mod:`pipeline.acquire.discovery.settings`): nothing here
reaches the network otherwise.
"""

from pipeline.acquire.discovery.pages import DiscoveryError, LayoutChanged
from pipeline.acquire.discovery.run import Outcome, discover
from pipeline.acquire.discovery.settings import enabled

__all__ = ["DiscoveryError", "LayoutChanged", "Outcome", "discover", "enabled"]
