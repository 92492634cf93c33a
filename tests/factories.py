"""One plain factory per model. Places come from the real GeoNames data loaded by `city()`."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from connective.accounts.models import Role, User
from connective.core.models import City, CitySize, Country, Topic
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
