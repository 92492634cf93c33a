"""Joining, requests to join, invitations, leaving and moderators: the services' rules, counters, logs and
notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from connective.core.models import AuditLog
from connective.groups.models import (
    Access,
    Group,
    Invitation,
    JoinRequest,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    RequestStatus,
    ThreadSubscription,
)
from connective.groups.selectors import groups_visible_to
from connective.groups.services import (
    group_join,
    group_leave,
    invitation_answer,
    invitation_create,
    invitation_create_for_organisation,
    join_request_create,
    join_request_decide,
    join_request_withdraw,
    moderator_set,
)
from connective.notifications.models import Notification
from tests.factories import GroupFactory, MembershipFactory, OrganisationFactory, ThreadFactory, UserFactory
from tests.groups.membership_fixtures import (
    World,
    access_of,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

pytestmark = pytest.mark.django_db


def counted(group: Group) -> int:
    group.refresh_from_db()
    return group.member_count


# --- Joining an open group ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("hold", "approved"), [(False, True), (True, False)])
def test_group_join_adds_a_member_who_posts_unless_first_posts_are_held(
    world: World, hold: bool, approved: bool
) -> None:
    group = world.groups[Access.OPEN]
    Group.objects.filter(pk=group.pk).update(hold_first_posts=hold)
    newcomer = UserFactory()

    membership = group_join(user=newcomer, access=access_of(newcomer, group))

    assert (membership.role, membership.approved_poster) == ("member", approved)
    assert counted(group) == 3
    assert AuditLog.objects.filter(action="group.join", actor=newcomer, object_id=str(group.pk)).count() == 1


def test_group_join_twice_is_refused_and_counts_once(world: World) -> None:
    group = world.groups[Access.OPEN]
    member = world.user("member")

    with pytest.raises(ValidationError) as raised:
        group_join(user=member, access=access_of(member, group))

    assert raised.value.messages == ["You are already a member of this group."]
    assert counted(group) == 2


@pytest.mark.parametrize(
    ("access", "message"),
    [
        (Access.CLOSED, "This group is closed: ask the moderators to let you in, with a short message."),
        (Access.SECRET, "This group is open by invitation only."),
    ],
)
def test_group_join_of_a_closed_or_secret_group_is_refused(world: World, access: str, message: str) -> None:
    group = world.groups[access]
    outsider = world.user("outsider")

    with pytest.raises(ValidationError) as raised:
        group_join(user=outsider, access=access_of(outsider, group))

    assert raised.value.messages == [message]
    assert not Membership.objects.filter(group=group, user=outsider).exists()
    assert counted(group) == 2


def test_group_join_of_an_archived_group_is_refused(world: World) -> None:
    group = world.groups[Access.OPEN]
    Group.objects.filter(pk=group.pk).update(archived_at=timezone.now())
    outsider = world.user("outsider")

    with pytest.raises(ValidationError) as raised:
        group_join(user=outsider, access=access_of(outsider, group))

    assert raised.value.messages == ["This group is archived and takes no new members."]


def test_group_join_by_a_visitor_is_refused(world: World) -> None:
    group = world.groups[Access.OPEN]
    with pytest.raises(PermissionDenied):
        group_join(user=None, access=access_of(None, group))
    assert counted(group) == 2


# --- Requests to join a closed group ----------------------------------------------------------------------


def test_join_request_create_tells_the_moderators(world: World) -> None:
    group = world.groups[Access.CLOSED]
    outsider = world.user("outsider")

    join_request = join_request_create(
        user=outsider, access=access_of(outsider, group), message="  I lead the gender unit in Sfax.  "
    )

    assert (join_request.status, join_request.message) == ("pending", "I lead the gender unit in Sfax.")
    notification = Notification.objects.get(kind="groups.join_request")
    assert notification.recipient == world.user("moderator")
    assert notification.actor == outsider
    assert notification.scope == f"group:{group.pk}"
    assert notification.path == "/en/groups/women-leadership/requests/"
    assert notification.data == {"actor": "Otto Sider", "group": "Women in municipal leadership"}
    assert counted(group) == 2


def test_join_request_create_goes_to_staff_when_a_group_has_no_moderator(world: World, staff: Any) -> None:
    group = GroupFactory(access=Access.CLOSED)
    outsider = world.user("outsider")

    join_request_create(user=outsider, access=access_of(outsider, group))

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [staff.pk]


def test_join_request_create_keeps_one_pending_request(world: World) -> None:
    group = world.groups[Access.CLOSED]
    outsider = world.user("outsider")
    join_request_create(user=outsider, access=access_of(outsider, group))

    with pytest.raises(ValidationError) as raised:
        join_request_create(user=outsider, access=access_of(outsider, group), message="Again")

    assert raised.value.messages == ["You already asked to join this group; the moderators will answer."]
    assert JoinRequest.objects.filter(group=group).count() == 1
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("access", "message"),
    [
        (Access.OPEN, "This group is open: join it directly, no request is needed."),
        (Access.SECRET, "This group is open by invitation only."),
    ],
)
def test_join_request_create_for_an_open_or_secret_group_is_refused(
    world: World, access: str, message: str
) -> None:
    group = world.groups[access]
    outsider = world.user("outsider")

    with pytest.raises(ValidationError) as raised:
        join_request_create(user=outsider, access=access_of(outsider, group))

    assert raised.value.messages == [message]
    assert JoinRequest.objects.count() == 0
    assert Notification.objects.count() == 0


def test_join_request_create_with_an_overlong_message_saves_nothing(world: World) -> None:
    group = world.groups[Access.CLOSED]
    outsider = world.user("outsider")

    with pytest.raises(ValidationError) as raised:
        join_request_create(user=outsider, access=access_of(outsider, group), message="x" * 2001)

    assert raised.value.message_dict == {"message": ["Write at most 2000 characters (this has 2001)."]}
    assert JoinRequest.objects.count() == 0
    assert Notification.objects.count() == 0


@pytest.fixture
def pending(world: World) -> JoinRequest:
    outsider = world.user("outsider")
    return join_request_create(
        user=outsider, access=access_of(outsider, world.groups[Access.CLOSED]), message="Please"
    )


def test_join_request_decide_accepting_makes_a_member_logs_and_tells_them(
    world: World, pending: JoinRequest
) -> None:
    group = world.groups[Access.CLOSED]
    moderator = world.user("moderator")

    join_request_decide(
        moderator=moderator,
        access=access_of(moderator, group),
        join_request=pending,
        accept=True,
        response="Welcome, Otto!",
    )

    pending.refresh_from_db()
    assert (pending.status, pending.decided_by, pending.response) == ("accepted", moderator, "Welcome, Otto!")
    assert pending.decided_at is not None
    membership = Membership.objects.get(group=group, user=world.user("outsider"))
    assert (membership.role, membership.approved_poster) == ("member", True)
    assert counted(group) == 3
    entry = ModerationLogEntry.objects.get(group=group)
    assert (entry.action, entry.moderator, entry.member, entry.reason) == (
        ModerationAction.ACCEPT_REQUEST,
        moderator,
        world.user("outsider"),
        "Welcome, Otto!",
    )
    decision = Notification.objects.get(kind="groups.join_decision")
    assert decision.recipient == world.user("outsider")
    assert decision.path == "/en/groups/women-leadership/"
    assert decision.data == {
        "actor": "Moana Derato",
        "group": "Women in municipal leadership",
        "accepted": True,
        "response": "Welcome, Otto!",
    }


def test_join_request_decide_declining_keeps_them_out(world: World, pending: JoinRequest) -> None:
    group = world.groups[Access.CLOSED]
    moderator = world.user("moderator")

    join_request_decide(
        moderator=moderator,
        access=access_of(moderator, group),
        join_request=pending,
        accept=False,
        response="This group is for elected women.",
    )

    pending.refresh_from_db()
    assert pending.status == "declined"
    assert not Membership.objects.filter(group=group, user=world.user("outsider")).exists()
    assert counted(group) == 2
    assert ModerationLogEntry.objects.get(group=group).action == ModerationAction.DECLINE_REQUEST
    decision = Notification.objects.get(kind="groups.join_decision")
    assert decision.data["accepted"] is False
    assert decision.data["response"] == "This group is for elected women."


def test_join_request_decide_by_staff_is_allowed(world: World, pending: JoinRequest, staff: Any) -> None:
    group = world.groups[Access.CLOSED]
    join_request_decide(moderator=staff, access=access_of(staff, group), join_request=pending, accept=True)
    assert Membership.objects.filter(group=group, user=world.user("outsider")).exists()


def test_join_request_decide_by_a_member_is_refused(world: World, pending: JoinRequest) -> None:
    group = world.groups[Access.CLOSED]
    member = world.user("member")

    with pytest.raises(PermissionDenied):
        join_request_decide(
            moderator=member, access=access_of(member, group), join_request=pending, accept=True
        )

    pending.refresh_from_db()
    assert pending.status == "pending"
    assert counted(group) == 2


def test_join_request_decide_with_another_groups_access_is_refused(
    world: World, pending: JoinRequest
) -> None:
    moderator = world.user("moderator")
    with pytest.raises(PermissionDenied):
        join_request_decide(
            moderator=moderator,
            access=access_of(moderator, world.groups[Access.OPEN]),
            join_request=pending,
            accept=True,
        )
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_join_request_decide_twice_is_refused(world: World, pending: JoinRequest) -> None:
    group = world.groups[Access.CLOSED]
    moderator = world.user("moderator")
    join_request_decide(
        moderator=moderator, access=access_of(moderator, group), join_request=pending, accept=False
    )

    with pytest.raises(ValidationError) as raised:
        join_request_decide(
            moderator=moderator, access=access_of(moderator, group), join_request=pending, accept=True
        )

    assert raised.value.messages == ["This request was already answered or withdrawn (Declined)."]
    assert counted(group) == 2
    assert ModerationLogEntry.objects.count() == 1


def test_join_request_decide_with_an_overlong_answer_changes_nothing(
    world: World, pending: JoinRequest
) -> None:
    group = world.groups[Access.CLOSED]
    moderator = world.user("moderator")

    with pytest.raises(ValidationError) as raised:
        join_request_decide(
            moderator=moderator,
            access=access_of(moderator, group),
            join_request=pending,
            accept=True,
            response="x" * 2001,
        )

    assert raised.value.message_dict == {"response": ["Write at most 2000 characters (this has 2001)."]}
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert counted(group) == 2
    assert ModerationLogEntry.objects.count() == 0
    assert not Notification.objects.filter(kind="groups.join_decision").exists()


def test_join_request_withdraw_by_the_requester(world: World, pending: JoinRequest) -> None:
    join_request_withdraw(user=world.user("outsider"), join_request=pending)

    pending.refresh_from_db()
    assert pending.status == "withdrawn"
    with pytest.raises(ValidationError):
        join_request_withdraw(user=world.user("outsider"), join_request=pending)


def test_join_request_withdraw_by_someone_else_is_refused(world: World, pending: JoinRequest) -> None:
    with pytest.raises(PermissionDenied):
        join_request_withdraw(user=world.user("member"), join_request=pending)
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- Leaving ------------------------------------------------------------------------------------------------


def test_group_leave_removes_the_member_and_their_thread_subscriptions(world: World) -> None:
    group = world.groups[Access.OPEN]
    member = world.user("member")
    thread = ThreadFactory(group=group)
    elsewhere = ThreadFactory(group=world.other)
    ThreadSubscription.objects.create(thread=thread, user=member)
    ThreadSubscription.objects.create(thread=elsewhere, user=member)

    group_leave(user=member, access=access_of(member, group))

    assert not Membership.objects.filter(group=group, user=member).exists()
    assert counted(group) == 1
    assert list(ThreadSubscription.objects.filter(user=member).values_list("thread_id", flat=True)) == [
        elsewhere.pk
    ]
    assert AuditLog.objects.filter(action="group.leave", actor=member).count() == 1


def test_group_leave_by_the_last_moderator_is_refused(world: World) -> None:
    group = world.groups[Access.CLOSED]
    moderator = world.user("moderator")

    with pytest.raises(ValidationError) as raised:
        group_leave(user=moderator, access=access_of(moderator, group))

    assert raised.value.messages == [
        "You are the only moderator of this group. "
        "Name another moderator on the members page before you leave."
    ]
    assert Membership.objects.filter(group=group, user=moderator, role="moderator").exists()
    assert counted(group) == 2


def test_group_leave_by_a_moderator_with_a_colleague_is_allowed(world: World) -> None:
    group = world.groups[Access.CLOSED]
    Membership.objects.filter(group=group, user=world.user("member")).update(role=MemberRole.MODERATOR)
    moderator = world.user("moderator")

    group_leave(user=moderator, access=access_of(moderator, group))

    assert counted(group) == 1


def test_group_leave_by_a_non_member_is_refused(world: World) -> None:
    outsider = world.user("outsider")
    with pytest.raises(ValidationError):
        group_leave(user=outsider, access=access_of(outsider, world.groups[Access.OPEN]))
    assert counted(world.groups[Access.OPEN]) == 2


# --- Invitations ------------------------------------------------------------------------------------------


def test_invitation_create_tells_the_invitee_who_may_then_see_the_secret_group(world: World) -> None:
    group = world.groups[Access.SECRET]
    moderator = world.user("moderator")
    outsider = world.user("outsider")
    assert group not in groups_visible_to(outsider)

    invitation = invitation_create(
        inviter=moderator, access=access_of(moderator, group), invitee=outsider, message="Join our talks."
    )

    assert (invitation.status, invitation.invited_by, invitation.message) == (
        "pending",
        moderator,
        "Join our talks.",
    )
    notification = Notification.objects.get(kind="groups.invitation")
    assert (notification.recipient, notification.path) == (outsider, "/en/groups/invitations/")
    assert notification.data == {"actor": "Moana Derato", "group": "Budget negotiations"}
    assert group in groups_visible_to(outsider)
    assert counted(group) == 2


def test_invitation_answer_accepting_makes_a_member(world: World) -> None:
    group = world.groups[Access.SECRET]
    moderator = world.user("moderator")
    outsider = world.user("outsider")
    invitation = invitation_create(inviter=moderator, access=access_of(moderator, group), invitee=outsider)

    membership = invitation_answer(user=outsider, invitation=invitation, accept=True)

    assert membership is not None and membership.user == outsider
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert counted(group) == 3


def test_invitation_answer_declining_hides_the_secret_group_again(world: World) -> None:
    group = world.groups[Access.SECRET]
    moderator = world.user("moderator")
    outsider = world.user("outsider")
    invitation = invitation_create(inviter=moderator, access=access_of(moderator, group), invitee=outsider)

    assert invitation_answer(user=outsider, invitation=invitation, accept=False) is None

    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert group not in groups_visible_to(outsider)
    with pytest.raises(ValidationError) as raised:
        invitation_answer(user=outsider, invitation=invitation, accept=True)
    assert raised.value.messages == ["This invitation was already answered."]
    assert counted(group) == 2


def test_invitation_answer_by_someone_else_is_refused(world: World) -> None:
    group = world.groups[Access.SECRET]
    moderator = world.user("moderator")
    invitation = invitation_create(
        inviter=moderator, access=access_of(moderator, group), invitee=world.user("outsider")
    )

    with pytest.raises(PermissionDenied):
        invitation_answer(user=UserFactory(), invitation=invitation, accept=True)
    assert counted(group) == 2


def test_invitation_create_twice_or_for_a_member_is_refused(world: World) -> None:
    group = world.groups[Access.CLOSED]
    moderator = world.user("moderator")
    access = access_of(moderator, group)
    invitation_create(inviter=moderator, access=access, invitee=world.user("outsider"))

    with pytest.raises(ValidationError) as again:
        invitation_create(inviter=moderator, access=access, invitee=world.user("outsider"))
    with pytest.raises(ValidationError) as member:
        invitation_create(inviter=moderator, access=access, invitee=world.user("member"))

    assert again.value.message_dict == {"invitee": ["Otto Sider is already invited."]}
    assert member.value.message_dict == {"invitee": ["Mariam Haddad is already a member."]}
    assert Invitation.objects.count() == 1
    assert Notification.objects.filter(kind="groups.invitation").count() == 1


def test_invitation_create_by_a_member_is_refused(world: World) -> None:
    group = world.groups[Access.SECRET]
    member = world.user("member")
    with pytest.raises(PermissionDenied):
        invitation_create(inviter=member, access=access_of(member, group), invitee=world.user("outsider"))
    assert Invitation.objects.count() == 0


def test_invitation_create_with_an_overlong_message_saves_nothing(world: World) -> None:
    group = world.groups[Access.SECRET]
    moderator = world.user("moderator")
    with pytest.raises(ValidationError):
        invitation_create(
            inviter=moderator,
            access=access_of(moderator, group),
            invitee=world.user("outsider"),
            message="x" * 2001,
        )
    assert Invitation.objects.count() == 0
    assert Notification.objects.count() == 0


def test_invitation_create_for_organisation_invites_everyone_not_yet_in(world: World) -> None:
    group = world.groups[Access.SECRET]
    moderator = world.user("moderator")
    city_hall = OrganisationFactory(name="Municipality of Sfax")
    colleagues = [UserFactory(organisation=city_hall) for _ in range(3)]
    already_member = UserFactory(organisation=city_hall)
    MembershipFactory(group=group, user=already_member)
    already_invited = UserFactory(organisation=city_hall)
    Invitation.objects.create(group=group, invitee=already_invited, invited_by=moderator)
    UserFactory(organisation=city_hall, is_active=False)
    UserFactory(organisation=OrganisationFactory())
    access = access_of(moderator, group)

    invitations = invitation_create_for_organisation(
        inviter=moderator, access=access, organisation=city_hall, message="Your city is welcome."
    )

    assert sorted(invitation.invitee_id for invitation in invitations) == sorted(
        user.pk for user in colleagues
    )
    assert {invitation.organisation_id for invitation in invitations} == {city_hall.pk}
    assert sorted(
        Notification.objects.filter(kind="groups.invitation").values_list("recipient_id", flat=True)
    ) == sorted(user.pk for user in colleagues)
    assert invitation_create_for_organisation(inviter=moderator, access=access, organisation=city_hall) == []
    assert Invitation.objects.filter(group=group, status=RequestStatus.PENDING).count() == 4


def test_invitation_create_for_organisation_by_a_member_is_refused(world: World) -> None:
    group = world.groups[Access.OPEN]
    member = world.user("member")
    city_hall = OrganisationFactory()
    UserFactory(organisation=city_hall)
    with pytest.raises(PermissionDenied):
        invitation_create_for_organisation(
            inviter=member, access=access_of(member, group), organisation=city_hall
        )
    assert Invitation.objects.count() == 0


# --- Moderators ---------------------------------------------------------------------------------------------


def test_moderator_set_names_and_withdraws_moderators_with_a_log(world: World) -> None:
    group = world.groups[Access.OPEN]
    moderator = world.user("moderator")
    member = world.user("member")
    access = access_of(moderator, group)

    moderator_set(actor=moderator, access=access, user=member, moderator=True)
    assert Membership.objects.get(group=group, user=member).role == "moderator"
    moderator_set(actor=member, access=access_of(member, group), user=moderator, moderator=False)

    assert Membership.objects.get(group=group, user=moderator).role == "member"
    log = list(
        ModerationLogEntry.objects.filter(group=group)
        .order_by("pk")
        .values_list("action", "moderator_id", "member_id")
    )
    assert log == [
        (ModerationAction.PROMOTE, moderator.pk, member.pk),
        (ModerationAction.DEMOTE, member.pk, moderator.pk),
    ]


def test_moderator_set_keeps_the_last_moderator(world: World) -> None:
    group = world.groups[Access.OPEN]
    moderator = world.user("moderator")

    with pytest.raises(ValidationError) as raised:
        moderator_set(actor=moderator, access=access_of(moderator, group), user=moderator, moderator=False)

    assert raised.value.messages == ["Moana Derato is the only moderator. Name another moderator first."]
    assert Membership.objects.get(group=group, user=moderator).role == "moderator"


def test_moderator_set_by_a_member_is_refused(world: World) -> None:
    group = world.groups[Access.OPEN]
    member = world.user("member")
    with pytest.raises(PermissionDenied):
        moderator_set(actor=member, access=access_of(member, group), user=member, moderator=True)
    assert Membership.objects.get(group=group, user=member).role == "member"


def test_moderator_set_of_a_non_member_is_refused(world: World) -> None:
    group = world.groups[Access.OPEN]
    moderator = world.user("moderator")
    with pytest.raises(ValidationError) as raised:
        moderator_set(
            actor=moderator, access=access_of(moderator, group), user=world.user("outsider"), moderator=True
        )
    assert raised.value.messages == ["Only members of the group can moderate it."]
    assert ModerationLogEntry.objects.count() == 0
