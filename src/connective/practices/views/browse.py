from django.http import HttpRequest, HttpResponse


def practice_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def practice_map(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
