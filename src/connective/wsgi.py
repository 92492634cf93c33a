import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connective.settings")
application = get_wsgi_application()


def _load_encoder() -> None:
    # The sentence encoder takes a second or two to load: each worker loads it as it starts, not in the
    # first search a visitor makes.
    from connective.search.embeddings import encoder

    encoder()


threading.Thread(target=_load_encoder, name="load-encoder", daemon=True).start()
