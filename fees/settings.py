"""The court's choices where the law leaves one (``TINGSHEN_FEES_*``), passed to the engine.

Where 诉讼费用交纳办法 gives a range ("每件交纳50元至300元"), the figure is the court's (for
art. 13(二), (三) and (六) the province's standard, art. 13 last paragraph): each such range
in the data names one field here, in fen, and the engine refuses a figure outside its range.
The defaults are the LOW END of each range: a court sets its province's figure (e.g.
``TINGSHEN_FEES_DIVORCE_BASE_FEN=20000`` for 200 yuan).

The two rules the text does not state are settings too:

- ``rounding_unit_fen``: 1 (to the fen, 分; default), 10 (角) or 100 (to the yuan, 元); always
  half up (四舍五入). Judgments commonly state fees to the fen ("案件受理费2,769.14元").
- ``stack_reductions``: whether several halving grounds (simplified procedure *and* mediation)
  halve the fee more than once. Default ``False``: it is halved once, the practice of most
  courts as far as we know; the text is silent.
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["FeeSettings"]


class FeeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TINGSHEN_FEES_", frozen=True, extra="forbid")

    divorce_base_fen: int = Field(default=5_000, ge=0)
    """离婚案件每件 (art. 13(二)1: 50–300 yuan)."""
    personality_rights_base_fen: int = Field(default=10_000, ge=0)
    """侵害人格权案件每件 (art. 13(二)2: 100–500 yuan)."""
    other_non_property_fen: int = Field(default=5_000, ge=0)
    """其他非财产案件每件 (art. 13(二)3: 50–100 yuan)."""
    ip_without_amount_fen: int = Field(default=50_000, ge=0)
    """知识产权民事案件，没有争议金额或者价额 (art. 13(三): 500–1,000 yuan)."""
    jurisdiction_objection_fen: int = Field(default=5_000, ge=0)
    """管辖权异议不成立 (art. 13(六): 50–100 yuan)."""
    execution_without_amount_fen: int = Field(default=5_000, ge=0)
    """申请执行，没有执行金额或者价额 (art. 14(一)1: 50–500 yuan)."""
    maritime_liability_fund_fen: int = Field(default=100_000, ge=0)
    """申请设立海事赔偿责任限制基金 (art. 14(七)1: 1,000–10,000 yuan)."""
    maritime_injunction_fen: int = Field(default=100_000, ge=0)
    """申请海事强制令 (art. 14(七)2: 1,000–5,000 yuan)."""
    maritime_lien_summons_fen: int = Field(default=100_000, ge=0)
    """申请船舶优先权催告 (art. 14(七)3: 1,000–5,000 yuan)."""
    rounding_unit_fen: int = 1
    """Round half up to the fen (1), the jiao (10) or the yuan (100)."""
    stack_reductions: bool = False
    """Several halving grounds halve more than once (default: once)."""

    @field_validator("rounding_unit_fen")
    @classmethod
    def _unit(cls, value: int) -> int:
        if value not in (1, 10, 100):
            raise ValueError("must be 1 (fen), 10 (jiao) or 100 (yuan)")
        return value

    def range_choice_fen(self, setting: str) -> int:
        """The figure of the range field ``setting`` (named by the data)."""
        value = getattr(self, setting)
        if not isinstance(value, int) or isinstance(value, bool):
            raise KeyError(setting)
        return value

    @classmethod
    def range_fields(cls) -> frozenset[str]:
        """The fields a range in the data may name."""
        return frozenset(
            name
            for name, field in cls.model_fields.items()
            if field.annotation is int and name.endswith("_fen") and not name.startswith("rounding")
        )
