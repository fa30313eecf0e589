from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from renkou.accounts.access import Cap, require, scope_q
from renkou.accounts.models import ApiToken, User
from renkou.security.crypto import blind_index


def users_for(user: User, *, search: str = "") -> QuerySet[User]:
    """Accounts whose home unit lies in the acting user's subtree."""
    require(user, Cap.VIEW_USERS)
    queryset = User.objects.filter(scope_q(user, "home_unit__")).select_related("home_unit")
    if search:
        matches = (
            Q(username__icontains=search)
            | Q(full_name__icontains=search)
            | Q(home_unit__name__icontains=search)
        )
        if search.isdigit() and len(search) >= 7:
            # Phones are encrypted: a whole number is found through its blind index.
            matches |= Q(phone_index=blind_index(search, purpose="user.phone"))
        queryset = queryset.filter(matches)
    return queryset.order_by("home_unit__path", "username")


def get_user_for_user(user: User, pk: int, *, cap: Cap = Cap.VIEW_USERS) -> User:
    require(user, cap)
    target = (
        User.objects.filter(scope_q(user, "home_unit__"), pk=pk).select_related("home_unit").first()
    )
    if target is None:
        raise Http404("没有找到该用户，或其不在您的管辖范围内。")
    return target


def get_token_for_user(user: User, pk: int) -> ApiToken:
    require(user, Cap.USE_API_TOKENS)
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404("没有找到该令牌。")
    return token
