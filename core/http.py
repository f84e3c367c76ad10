from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address. X-Forwarded-For counts only behind NUM_PROXIES trusted proxies,
    taking the entry the outermost trusted proxy appended, so a client cannot pick its own IP."""
    remote_addr = request.META.get("REMOTE_ADDR")
    num_proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies <= 0 or not forwarded:
        return remote_addr
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote_addr
    return addresses[-min(num_proxies, len(addresses))]
