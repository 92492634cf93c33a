from django.http import HttpRequest, HttpResponse


def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def practice_contact(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError


def practice_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError
