"""Email Router migration and Microsoft Graph: a router's Exchange Online profile is migrated on EWS (what the
router spoke) with a warning saying how to move it to Graph; other Exchange servers get no such warning."""
from crmsync_gui.core import codes
from crmsync_gui.core.migration import apply_plan, plan_migration
from crmsync_gui.core.store.models import EmailServerProfile
from tests.core.router_files import exchange_router


def test_an_exchange_online_router_profile_is_migrated_on_ews_with_the_way_to_graph(db, tmp_path):
    online = exchange_router(tmp_path / "online", "https://outlook.office365.com/EWS/Exchange.asmx",
                             [("a@contoso.com", "ia")])
    plan = plan_migration([online])
    [warning] = [w for w in plan.warnings if "Exchange Online" in w]
    assert "set the profile's protocol to Microsoft Graph" in warning and "Mail.Send" in warning
    apply_plan(plan)
    profile = EmailServerProfile.get(EmailServerProfile.name == plan.profiles[0].name)
    assert profile.protocol == codes.ExchangeProtocol.EWS


def test_an_on_premises_router_profile_gets_no_graph_warning(db, tmp_path):
    plan = plan_migration([exchange_router(tmp_path / "r", mailboxes=[("a@example.local", "ia")])])
    assert not [w for w in plan.warnings if "Exchange Online" in w]
