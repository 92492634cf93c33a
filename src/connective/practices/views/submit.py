from django.http import HttpRequest, HttpResponse


def my_practices(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def practice_submit(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def practice_edit(request: HttpRequest, slug: str) -> HttpResponse:
    raise NotImplementedError
