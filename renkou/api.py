"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from renkou.accounts.api_auth import ActiveSessionAuth, TokenAuth
from renkou.accounts.models import User
from renkou.assessment.api_core import router as assessment_router
from renkou.assessment.api_review import router as assessment_review_router
from renkou.contracts.api import router as contracts_router
from renkou.orgunits.api import router as orgunits_router
from renkou.population.api import router as population_router
from renkou.reporting.api import router as reporting_router
from renkou.targets.api import router as targets_router

api = NinjaAPI(
    title="Renkou API",
    version="1",
    description=(
        "人口家庭工作目标管理平台 JSON API。"
        "浏览器使用登录会话；脚本使用 Authorization: Bearer 令牌。"
    ),
    auth=[ActiveSessionAuth(), TokenAuth()],
    urls_namespace="api",
)


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_name: str
    home_unit: str | None
    home_unit_name: str | None


@api.get("/me", response=MeOut, summary="当前用户", tags=["账号 accounts"])
def me(request: HttpRequest) -> MeOut:
    user = request.user
    assert isinstance(user, User)
    return MeOut(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        role_name=user.get_role_display() if user.role else "",
        home_unit=user.home_unit.code if user.home_unit else None,
        home_unit_name=user.home_unit.name if user.home_unit else None,
    )


api.add_router("/", orgunits_router)
api.add_router("/", reporting_router)
api.add_router("/", targets_router)
api.add_router("/", contracts_router)
api.add_router("/", assessment_router)
api.add_router("/", assessment_review_router)
api.add_router("/", population_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "没有找到，或不在您的管辖范围内。"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "您的角色无权进行此操作。"}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request, {"detail": "请先登录，或在请求头中提供有效令牌。"}, status=401
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # The framework's own refusals (a body that is not JSON …) come in English.
    if exc.status_code == 400:
        message = "请求内容无法解析，请提交有效的 JSON。"
    else:
        message = "请求有误，未做任何修改。"
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {
            "where": ".".join(str(part) for part in error.get("loc", [])),
            "message": str(error.get("msg", "")),
        }
        for error in exc.errors
    ]
    return api.create_response(
        request, {"detail": "请求参数有误。", "problems": problems}, status=422
    )
