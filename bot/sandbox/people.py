"""The demo workspace: a dozen employees across teams, levels and time zones, one manager and
one program admin, a company-wide channel and the manager's team channel.

Each employee also has the answers they would give in the join form, in the words a person
reads there (option labels, not the app's stored values): bot/sandbox/forms.py finds them in
whatever modal the app opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.emulator import FakeSlack

TEAM_ID = "T0SANDBOX"
WORKSPACE_NAME = "Acme (sandbox)"
BOT_USER_ID = "U0PEERMENTOR"
BOT_TOKEN = "xoxb-sandbox-local-token"
GENERAL = "C0GENERAL"
TEAM_CHANNEL = "C0PRODENG"
TEAM_CHANNEL_NAME = "product-eng"
TEAM_USERGROUP = "S0PRODENG"


@dataclass(frozen=True)
class Person:
    user_id: str
    handle: str
    real_name: str
    title: str
    team: str
    tz: str
    role: str = "employee"  # "employee", "manager" or "admin"
    # What they answer in the join form (labels as the form shows them).
    level: str = ""
    function: str = ""
    can_share: tuple[str, ...] = ()
    want_to_grow: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    background: str = ""
    meeting_ways: tuple[str, ...] = ("Video call",)
    frequency: str = "Every two weeks"
    in_team_channel: bool = True

    @property
    def first_name(self) -> str:
        return self.real_name.split()[0]

    def public(self) -> dict[str, object]:
        return {
            "id": self.user_id,
            "name": self.handle,
            "real_name": self.real_name,
            "title": self.title,
            "team": self.team,
            "tz": self.tz,
            "role": self.role,
        }


EMPLOYEES = (
    Person(
        "U0ANA",
        "ana",
        "Ana Costa",
        "Backend engineer",
        "Payments",
        "Europe/Lisbon",
        level="Mid-level",
        function="Engineering",
        can_share=("Backend development", "System design", "Code review"),
        want_to_grow=("Public speaking", "Stakeholder management"),
        goals=("Lead bigger projects", "Build visibility and influence"),
        background="Came to engineering from physics research.",
        meeting_ways=("Video call", "Messages (DM)"),
    ),
    Person(
        "U0BEN",
        "ben",
        "Ben Okafor",
        "Data analyst",
        "Growth",
        "Europe/London",
        level="Mid-level",
        function="Data",
        can_share=("Public speaking", "Data analysis and SQL", "Storytelling with data"),
        want_to_grow=("Backend development", "System design"),
        goals=("Learn a new domain", "Lead bigger projects"),
        background="Taught secondary-school maths for five years.",
        meeting_ways=("Video call", "In person"),
        frequency="Every week",
    ),
    Person(
        "U0CHLOE",
        "chloe",
        "Chloé Martin",
        "Senior product designer",
        "Brand design",
        "Europe/Paris",
        level="Senior",
        function="Design",
        can_share=("Visual and interaction design", "User research", "Presenting to leadership"),
        want_to_grow=("Data analysis and SQL", "Prioritisation"),
        goals=("Move into people management", "Become a better mentor"),
        background="Studied architecture before moving into digital design.",
    ),
    Person(
        "U0DEV",
        "dev",
        "Dev Patel",
        "Senior platform engineer",
        "Platform",
        "Asia/Kolkata",
        level="Senior",
        function="Engineering",
        can_share=("Cloud and infrastructure", "Security", "Mentoring others"),
        want_to_grow=("Presenting to leadership", "Strategy"),
        goals=("Prepare for a promotion", "Build visibility and influence"),
        background="Started in IT support and worked up through operations.",
        meeting_ways=("Video call",),
        frequency="Every week",
    ),
    Person(
        "U0ELENA",
        "elena",
        "Elena Rossi",
        "Product manager",
        "Payments",
        "Europe/Rome",
        level="Mid-level",
        function="Product",
        can_share=("Product thinking", "Prioritisation", "Stakeholder management"),
        want_to_grow=("Data analysis and SQL", "Negotiation"),
        goals=("Lead bigger projects", "Prepare for a promotion"),
        background="Ran a small e-commerce business before joining.",
        meeting_ways=("Video call", "Messages (DM)"),
    ),
    Person(
        "U0FARID",
        "farid",
        "Farid Haddad",
        "Junior data scientist",
        "Data platform",
        "Europe/Berlin",
        level="Early career",
        function="Data",
        can_share=("Machine learning", "Data modelling"),
        want_to_grow=("Writing and documentation", "Running meetings"),
        goals=("Grow as an individual contributor", "Learn a new domain"),
        background="Recent graduate; did a PhD-year internship in climate modelling.",
    ),
    Person(
        "U0GRACE",
        "grace",
        "Grace Kim",
        "Marketing associate",
        "Growth",
        "America/New_York",
        level="Early career",
        function="Marketing",
        can_share=("Marketing", "Writing and documentation"),
        want_to_grow=("Data analysis and SQL", "Machine learning"),
        goals=("Change role or function", "Learn a new domain"),
        background="Came from journalism.",
        meeting_ways=("Video call", "Messages (DM)"),
        frequency="Every week",
    ),
    Person(
        "U0HUGO",
        "hugo",
        "Hugo Silva",
        "Principal engineer",
        "Platform",
        "America/Sao_Paulo",
        level="Lead",
        function="Engineering",
        can_share=("System design", "Hiring and interviewing", "Decision making"),
        want_to_grow=("Giving feedback", "Work-life balance"),
        goals=("Become a better mentor", "Find a sustainable pace"),
        background="Twenty years of building payment systems in three countries.",
        meeting_ways=("Video call",),
        frequency="Every month",
    ),
    Person(
        "U0INES",
        "ines",
        "Inês Duarte",
        "Customer success manager",
        "Customer success",
        "Europe/Lisbon",
        level="Mid-level",
        function="Customer success and support",
        can_share=("Customer conversations", "Conflict resolution"),
        want_to_grow=("Product thinking", "Project management"),
        goals=("Change role or function", "Lead bigger projects"),
        background="Worked in hospitality management before tech.",
        meeting_ways=("In person", "Video call"),
        in_team_channel=False,
    ),
    Person(
        "U0JONAS",
        "jonas",
        "Jonas Berg",
        "Senior data engineer",
        "Data platform",
        "Europe/Stockholm",
        level="Senior",
        function="Engineering",
        can_share=("Data modelling", "Testing and quality", "Giving feedback"),
        want_to_grow=("Strategy", "Decision making"),
        goals=("Lead bigger projects", "Move into people management"),
        background="Self-taught; first job was building spreadsheets for a shipping firm.",
        frequency="Every month",
    ),
    Person(
        "U0KEMI",
        "kemi",
        "Kemi Adeyemi",
        "Account executive",
        "Enterprise sales",
        "Africa/Lagos",
        level="Mid-level",
        function="Sales",
        can_share=("Negotiation", "Sales", "Customer conversations"),
        want_to_grow=("Product thinking", "Time management"),
        goals=("Build visibility and influence", "Prepare for a promotion"),
        background="Grew up in a family shop; sold before she could spell it.",
        meeting_ways=("Video call", "Messages (DM)"),
        in_team_channel=False,
    ),
    Person(
        "U0LIAM",
        "liam",
        "Liam Walsh",
        "User researcher",
        "User research",
        "America/Los_Angeles",
        level="Early career",
        function="Research",
        can_share=("User research", "Accessibility"),
        want_to_grow=("Public speaking", "Running meetings"),
        goals=("Grow as an individual contributor", "Build visibility and influence"),
        background="Psychology graduate; volunteered on accessibility audits.",
        meeting_ways=("Video call", "Messages (DM)"),
    ),
)

MANAGER = Person(
    "U0MAYA",
    "maya",
    "Maya Chen",
    "Head of Product & Engineering",
    "Leadership",
    "Europe/London",
    role="manager",
)

ADMIN = Person(
    "U0NOOR",
    "noor",
    "Noor Rahman",
    "People partner · runs the mentoring program",
    "People",
    "Europe/London",
    role="admin",
)

EVERYONE = (*EMPLOYEES, MANAGER, ADMIN)


def person(user_id: str) -> Person:
    for p in EVERYONE:
        if p.user_id == user_id:
            return p
    raise KeyError(user_id)


def seed_workspace(fake: FakeSlack) -> None:
    """The workspace, its people (the admin a workspace admin), channels and a user group."""
    fake.add_workspace(TEAM_ID, token=BOT_TOKEN, name=WORKSPACE_NAME, bot_user_id=BOT_USER_ID)
    fake.add_user(TEAM_ID, BOT_USER_ID, name="peer-mentor", real_name="Peer Mentor", is_bot=True)
    for p in EVERYONE:
        fake.add_user(
            TEAM_ID, p.user_id, name=p.handle, real_name=p.real_name, tz=p.tz, is_admin=p.role == "admin"
        )
    fake.add_channel(TEAM_ID, GENERAL, name="general", members=[*(p.user_id for p in EVERYONE), BOT_USER_ID])
    team = [MANAGER.user_id, *(p.user_id for p in EMPLOYEES if p.in_team_channel)]
    fake.add_channel(TEAM_ID, TEAM_CHANNEL, name=TEAM_CHANNEL_NAME, members=[*team, BOT_USER_ID])
    fake.add_usergroup(TEAM_ID, TEAM_USERGROUP, handle=f"{TEAM_CHANNEL_NAME}-team", users=team[1:])
