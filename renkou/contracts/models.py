"""Responsibility contracts (责任状) between a unit and each unit below it.

A contract is drafted from the recipient's targets and the year's assessment
scheme; ``content`` is a snapshot of everything the document says, so later
changes of targets or scheme never alter a contract already written. Issuing
renders the PDF (or leaves it to the first download), whose SHA-256 and a
short verification code let anyone check a printed copy. The recipient unit
acknowledges it in the app (typed name, time and address kept). An amendment
is a new version; when it is issued the old one is marked superseded and its
PDF stays available.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import OrgUnit

USER = settings.AUTH_USER_MODEL


class ContractStatus(models.TextChoices):
    DRAFTED = "drafted", _("草拟")
    ISSUED = "issued", _("已下达")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    SUPERSEDED = "superseded", _("已被新版本替代")


# A contract counts as issued (targets then need a reason to change) in these states.
ISSUED_STATES = (ContractStatus.ISSUED, ContractStatus.ACKNOWLEDGED, ContractStatus.SUPERSEDED)


class Contract(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    recipient = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("乙方")
    )
    issuer = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="issued_contracts", verbose_name=_("甲方")
    )
    scheme = models.ForeignKey(
        "assessment.Scheme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("考核方案"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFTED
    )
    content = models.JSONField(_("内容"), default=dict)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    sha256 = models.CharField(_("PDF摘要"), max_length=64, blank=True)
    # Set when issued; grouped for reading aloud over the phone: RK-XXXX-XXXX-XXXX.
    code = models.CharField(_("验证码"), max_length=20, unique=True, null=True, blank=True)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)
    drafted_at = models.DateTimeField(_("草拟时间"))
    issued_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    issued_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signer_name = models.CharField(_("签收人"), max_length=50, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_ip = models.GenericIPAddressField(_("签收地址"), null=True, blank=True)
    amendment_reason = models.TextField(_("修订理由"), blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("替代的版本"),
    )

    class Meta:
        ordering = ["-year", "recipient__path", "-version"]
        verbose_name = _("目标责任状")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "recipient", "version"], name="contract_version_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "issuer", "status"])]

    def __str__(self) -> str:
        return f"{self.year} {self.recipient_id} v{self.version}"

    @property
    def title(self) -> str:
        return str(self.content.get("title", ""))

    @property
    def is_current(self) -> bool:
        return self.status != ContractStatus.SUPERSEDED
