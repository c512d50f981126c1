"""Demo companies for trying Partida and for measuring it: see ``partida.demo.generate``."""
