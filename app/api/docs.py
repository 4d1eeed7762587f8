"""Swagger UI served from the service itself, so /docs renders without internet access."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs-assets"


def _swagger_assets() -> Path:
    import swagger_ui  # the swagger-ui-py wheel ships the Swagger UI 5 distribution

    return Path(swagger_ui.__file__).parent / "static"


def install_offline_docs(app: FastAPI) -> None:
    """Serve /docs with Swagger UI's JavaScript and CSS from this process instead of a CDN."""
    app.mount(ASSETS_URL, StaticFiles(directory=_swagger_assets()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} — API docs",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon-32x32.png",
        )
