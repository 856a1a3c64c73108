import pytest

from crmsync_gui.core import codes, events
from crmsync_gui.core.store.models import CrmUser, EmailServerProfile, Mailbox
from crmsync_gui.core.sync.clock import FakeClock
from crmsync_gui.core.sync.engine import Engine, EngineConfig
from tests.core.sync.fakes import World


class Recorder:
    def __init__(self, bus):
        self.events = []
        bus.subscribe(self.events.append)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def world():
    return World()


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def bus():
    return events.EventBus()


@pytest.fixture
def recorder(bus):
    return Recorder(bus)


@pytest.fixture
def make_engine(db, world, clock, bus):
    """Engines on the fake connector and clock; stopped at the end of the test."""
    made = []

    async def make(config: EngineConfig | None = None, **kwargs) -> Engine:
        engine = Engine(bus=kwargs.pop("bus", bus), clock=kwargs.pop("clock", clock), config=config or EngineConfig(),
                        connector_factory=kwargs.pop("factory", world.factory), **kwargs)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        assert engine.state == "stopped", "the test must stop its engines"


def add_profile(name="Contoso", **fields) -> EmailServerProfile:
    return EmailServerProfile.create(name=name, incoming_server=f"https://{name.lower()}.test/EWS/Exchange.asmx",
                                     **fields)


def add_mailbox(profile, name, *, incoming=True, outgoing=False, act=False, owner=None, **fields) -> Mailbox:
    fields.setdefault("approval", codes.Approval.APPROVED)
    return Mailbox.create(name=name, email=f"{name.lower()}@example.test", profile=profile,
                          incoming_enabled=incoming, outgoing_enabled=outgoing,
                          act_enabled=act, act_method=codes.ActMethod.SERVER_SIDE_SYNC if act else codes.ActMethod.NONE,
                          owner_user=owner, **fields)


def add_user(name="Owner") -> CrmUser:
    return CrmUser.create(full_name=name, email=f"{name.lower()}@example.test")


def reload(mailbox) -> Mailbox:
    return Mailbox.get_by_id(mailbox.id)
