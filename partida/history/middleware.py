from partida.history.actor import Actor, acting_as


class ActorMiddleware:
    """Records changes made during a request as made by the signed-in user, if there is one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        actor = Actor(name=user.get_full_name() or user.get_username(), email=user.email)
        with acting_as(actor):
            return self.get_response(request)
