"""One plain factory per model. Places come from the real GeoNames data loaded by `city()`."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from connective.accounts.models import Role, User
from connective.core.models import City, CitySize, Country, Topic
from connective.core.text import render_markdown
from connective.events.models import (
    AgendaSession,
    Event,
    EventFormat,
    EventStatus,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from connective.groups.models import (
    Access,
    Group,
    GroupKind,
    MemberRole,
    Membership,
    Post,
    PostStatus,
    Thread,
)
from connective.network.models import Organisation, OrganisationType, Profile, Visibility
from connective.practices.models import Practice, PracticeStatus


def city(name: str = "Leipzig", country: str = "DE") -> City:
    """A real city; loads its country's GeoNames cities on first use."""
    from connective.core.places import load_cities

    found = City.objects.filter(country_id=country, name=name).order_by("-population").first()
    if found is None:
        load_cities(countries=[country])
        found = City.objects.filter(country_id=country, name=name).order_by("-population").first()
    if found is None:
        raise LookupError(f"{name} ({country}) is not in GeoNames")
    return found


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        # Allauth signs in only with a verified address; personas are verified unless told otherwise.
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )
        if create:
            self.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    type = OrganisationType.MUNICIPALITY
    country = factory.LazyFunction(lambda: Country.objects.get(code="DE"))


class PracticeFactory(DjangoModelFactory):
    class Meta:
        model = Practice
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"practice-{n}")
    title = factory.Sequence(lambda n: f"Practice number {n}")
    summary = "A municipal solution that worked."
    language = "en"
    city = factory.LazyFunction(city)
    country = factory.LazyAttribute(lambda o: o.city.country)
    region = factory.LazyAttribute(lambda o: o.city.country.region)
    city_size = factory.LazyAttribute(lambda o: CitySize.for_population(o.city.population))
    latitude = factory.LazyAttribute(lambda o: o.city.latitude)
    longitude = factory.LazyAttribute(lambda o: o.city.longitude)
    challenge = "Rising costs and unhappy residents."
    objectives = "Lower costs."
    solution = "A new approach."
    start_year = 2019
    status = PracticeStatus.PUBLISHED
    published_at = factory.LazyFunction(lambda: __import__("django.utils.timezone").utils.timezone.now())

    @factory.post_generation
    def topics(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if not create:
            return
        slugs = extracted if extracted is not None else ["mobility"]
        self.topics.set(Topic.objects.filter(slug__in=slugs))
        # A ParentalManyToManyField keeps the change in memory until the practice is saved.
        self.save()


class ProfileFactory(DjangoModelFactory):
    """A member's profile; visible to everyone unless told otherwise, so tests of hiding say what they hide."""

    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"person-{n}")
    visibility = Visibility.PUBLIC


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.Sequence(lambda n: f"working-group-{n}")
    kind = GroupKind.THEMATIC
    access = Access.OPEN
    summary = "Cities comparing what works."
    description = "A group of practitioners."


class MembershipFactory(DjangoModelFactory):
    """Joins through the factory keep the group's member count, as the services do."""

    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.MEMBER
    approved_poster = True

    @classmethod
    def _create(cls, model_class: type[Membership], *args: object, **kwargs: object) -> Membership:
        from django.db.models import F

        membership = super()._create(model_class, *args, **kwargs)
        Group.objects.filter(pk=membership.group_id).update(member_count=F("member_count") + 1)
        return membership


class ThreadFactory(DjangoModelFactory):
    class Meta:
        model = Thread

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Thread {n}")
    author = factory.SubFactory(UserFactory)
    last_post_at = factory.LazyFunction(timezone.now)


class PostFactory(DjangoModelFactory):
    """A published post at the thread's next position; the thread's counters follow."""

    class Meta:
        model = Post

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Post number {n}: what we learned.")
    body_html = factory.LazyAttribute(lambda post: str(render_markdown(post.body)))
    status = PostStatus.PUBLISHED

    @classmethod
    def _create(cls, model_class: type[Post], *args: object, **kwargs: object) -> Post:
        from django.db.models import F

        thread = kwargs["thread"]
        assert isinstance(thread, Thread)
        thread.refresh_from_db(fields=["next_position"])
        kwargs.setdefault("position", thread.next_position)
        post = super()._create(model_class, *args, **kwargs)
        published = 1 if post.status == PostStatus.PUBLISHED else 0
        Thread.objects.filter(pk=thread.pk).update(
            next_position=F("next_position") + 1,
            post_count=F("post_count") + published,
            last_post_at=post.created_at,
        )
        thread.refresh_from_db(fields=["next_position", "post_count", "last_post_at"])
        return post


class EventFactory(DjangoModelFactory):
    """A published dialogue event in Leipzig a month from now, 20 places, open registration."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Dialogue event {n}")
    slug = factory.Sequence(lambda n: f"dialogue-event-{n}")
    format = EventFormat.DIALOGUE
    status = EventStatus.PUBLISHED
    summary = "Practitioners compare what works."
    description = "Twenty practitioners, each with a practice or a challenge."
    starts_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timezone.timedelta(days=2))
    time_zone = "Europe/Berlin"
    venue_name = "Neues Rathaus"
    capacity = 20
    participation = ParticipationMode.REGISTRATION
    languages = factory.LazyFunction(lambda: ["en"])

    @factory.post_generation
    def organisers(self, create: bool, extracted: list[User] | None, **kwargs: object) -> None:
        if create and extracted:
            self.organisers.set(extracted)


class AgendaSessionFactory(DjangoModelFactory):
    class Meta:
        model = AgendaSession

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    starts_at = factory.LazyAttribute(lambda s: s.event.starts_at)
    ends_at = factory.LazyAttribute(lambda s: s.event.starts_at + timezone.timedelta(hours=1))


class RegistrationFactory(DjangoModelFactory):
    """A confirmed place; the event's counts follow, as the services keep them."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.CONFIRMED

    @classmethod
    def _create(cls, model_class: type[Registration], *args: object, **kwargs: object) -> Registration:
        from django.db.models import F

        registration = super()._create(model_class, *args, **kwargs)
        if registration.status == RegistrationStatus.CONFIRMED:
            Event.objects.filter(pk=registration.event_id).update(confirmed_count=F("confirmed_count") + 1)
        elif registration.status == RegistrationStatus.WAITLISTED:
            Event.objects.filter(pk=registration.event_id).update(waitlist_count=F("waitlist_count") + 1)
        return registration


def wagtail_roots() -> None:
    """Put back the rows Wagtail's migrations create (root collection), which a transactional test's flush
    removes; module-scoped demo fixtures load on whatever database state the worker's previous file left."""
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
