from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "partida.books"
    label = "books"
