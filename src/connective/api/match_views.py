"""The caller's "matches for you": the same practices, people and groups as the page, from the same selector."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connective.accounts.models import User
from connective.api.match_serializers import MatchesSerializer
from connective.network.matches import matches_for

SIGN_IN = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}}}, description="Not signed in."
)


class MatchesView(APIView):
    """Published practices, people and working groups that fit the caller's expertise."""

    @extend_schema(
        summary="Read the caller's matches",
        operation_id="matches_retrieve",
        description=(
            'As on "matches for you": up to six published practices, people and working groups (not those the '
            "caller belongs to) that fit the expertise in the caller's profile, in any language, each with the "
            "topics it shares and the passage that matched. Sign in on the site first: the session cookie "
            "authenticates."
        ),
        responses={200: MatchesSerializer, 403: SIGN_IN},
    )
    def get(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            raise NotAuthenticated()
        matches = matches_for(user=user)
        return Response(MatchesSerializer(matches, context={"request": request}).data)
