from django.http import HttpRequest, HttpResponse


def practice_export(request: HttpRequest, fmt: str) -> HttpResponse:
    raise NotImplementedError
