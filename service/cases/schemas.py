"""What clients send to open a case or take an action: the API and the web UI validate with these same models."""

from typing import Any

from pydantic import BaseModel, Field

from workflows.registry import WORKFLOWS
from workflows.schemas import MAX_ID


class CaseCreate(BaseModel):
    case_type: str = Field(max_length=50, examples=[next(iter(WORKFLOWS))])
    plan_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    board_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    data: dict[str, Any] = Field(default_factory=dict)


class ActionRequest(BaseModel):
    expected_version: int = Field(ge=1, le=2**31, description="The version you read; a newer one is a 409")
    comment: str = Field(default="", max_length=20_000)
    data: dict[str, Any] = Field(default_factory=dict)
