"""Dependencies injected into routes: the runtime's resources, typed."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from app.core.config import Settings
from app.pipeline.checker import Checker
from app.pipeline.corpus import Corpus
from app.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


def get_settings(request: Request) -> Settings:
    return get_runtime(request).settings


def get_corpus(request: Request) -> Corpus:
    return get_runtime(request).corpus


def get_checker(request: Request) -> Checker:
    return get_runtime(request).checker


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
CorpusDep = Annotated[Corpus, Depends(get_corpus)]
CheckerDep = Annotated[Checker, Depends(get_checker)]
