"""Security headers for the staff pages.

Staff pages load nothing from outside and run no inline code, so the Content Security Policy
can forbid both; a message that smuggles ``<script>`` past escaping still cannot run.
Templates therefore put scripts and styles in static files, never inline.
"""

STAFF_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Django's admin (users, roles, retention periods) runs no inline script or style either, so
# it gets the same policy.
PROTECTED_PREFIXES = ("/staff/", "/admin/")


class StaffSecurityHeadersMiddleware:
    """Adds CSP and no-store caching to every response under /staff/ and /admin/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PROTECTED_PREFIXES):
            response.setdefault("Content-Security-Policy", STAFF_CONTENT_SECURITY_POLICY)
            # Transcripts and drafts must not stay in a shared computer's browser cache.
            response.setdefault("Cache-Control", "no-store")
            response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
