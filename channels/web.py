"""Serves the chat widget and its demo pages from the Rasa server itself, at /chat.

    /chat               the chat on a page of its own (a hospice can link to it)
    /chat/widget.js     the widget: one <script> tag on any site (web/dist/widget.js)
    /chat/example.html  an example hospice page with the chat button in the corner

Rasa mounts channel blueprints at ``urljoin("/webhooks/", url_prefix)``; an absolute prefix
("/chat") replaces the path, so this channel lives at /chat. It receives no messages: the
widget talks to the Socket.IO channel (channels/socketio.py).

credentials.yml (values from the environment; empty ones are left out of the page):

    channels.web.WebChatWidget:
      title: Gentle Hands
      hospice_name: ${HOSPICE_NAME}
      hospice_phone: ${HOSPICE_PHONE}
      emergency_number: ${EMERGENCY_NUMBER}
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import setting

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
BUNDLE = WEB_DIR / "dist" / "widget.js"

# A strict policy for the demo pages: only this server's script, styles and socket. (Widget
# text is rendered as text anyway; this is a second wall.)
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebChatWidget(InputChannel):
    """Static files for the web widget (no messages come through here)."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebChatWidget:
        return cls(
            title=setting(credentials, "title", "Gentle Hands"),
            hospice_name=setting(credentials, "hospice_name"),
            hospice_phone=setting(credentials, "hospice_phone"),
            emergency_number=setting(credentials, "emergency_number"),
        )

    def __init__(
        self,
        title: str = "Gentle Hands",
        hospice_name: str = "",
        hospice_phone: str = "",
        emergency_number: str = "",
        web_dir: Path = WEB_DIR,
    ) -> None:
        self.values = {
            "title": title,
            "hospice_name": hospice_name,
            "hospice_phone": hospice_phone,
            "emergency_number": emergency_number,
        }
        self.bundle = web_dir / "dist" / "widget.js"
        self.public = web_dir / "public"
        if not self.bundle.exists():
            logger.warning("The chat widget is not built (%s): run scripts/build_web.sh.",
                           self.bundle)

    def url_prefix(self) -> str:
        return "/chat"

    def page(self, name: str, request: Request) -> str:
        text = (self.public / name).read_text(encoding="utf-8")
        values = dict(self.values, server_url=f"{request.scheme}://{request.host}")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("gentle_hands_web", __name__)

        def html_page(name: str, request: Request) -> HTTPResponse:
            headers = dict(COMMON_HEADERS, **{"Content-Security-Policy": PAGE_CSP})
            return response.html(self.page(name, request), headers=headers)

        @bp.route("", methods=["GET"], strict_slashes=True, name="chat_page")
        async def chat_page(request: Request) -> HTTPResponse:
            return html_page("index.html", request)

        @bp.route("/", methods=["GET"], strict_slashes=True, name="chat_page_slash")
        async def chat_page_slash(request: Request) -> HTTPResponse:
            return html_page("index.html", request)

        @bp.route("/example.html", methods=["GET"], name="example_page")
        async def example_page(request: Request) -> HTTPResponse:
            return html_page("example.html", request)

        @bp.route("/demo.css", methods=["GET"], name="demo_css")
        async def demo_css(_: Request) -> HTTPResponse:
            return response.text(
                (self.public / "demo.css").read_text(encoding="utf-8"),
                content_type="text/css; charset=utf-8",
                headers=COMMON_HEADERS,
            )

        @bp.route("/widget.js", methods=["GET"], name="widget_js")
        async def widget_js(_: Request) -> HTTPResponse:
            if not self.bundle.exists():
                return response.text(
                    "The chat widget has not been built: run scripts/build_web.sh.", status=503
                )
            # Any site may embed the script (the socket is what ALLOWED_ORIGINS guards).
            headers = dict(COMMON_HEADERS, **{"Cross-Origin-Resource-Policy": "cross-origin"})
            return response.text(
                self.bundle.read_text(encoding="utf-8"),
                content_type="application/javascript; charset=utf-8",
                headers=headers,
            )

        return bp
