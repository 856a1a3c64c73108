"""Alerts the administrator has seen."""
from crmsync_gui.core.store.models import Alert


def acknowledge_alerts(alert_ids: list[int]) -> int:
    """Mark alerts as seen; return how many changed."""
    return Alert.update(acknowledged=True).where(Alert.id.in_(alert_ids), Alert.acknowledged == False).execute()  # noqa: E712
