"""The JSON HTTP API: the explorer's numbers for scripts and other explorers."""

from flask import Flask


def register_api(server: Flask) -> None:
    from webapp.api.breakdown_routes import breakdown_api
    from webapp.api.cors import register_cors
    from webapp.api.errors import register_error_handlers
    from webapp.api.flags_routes import flags_api
    from webapp.api.game_routes import games_api
    from webapp.api.lichess_routes import lichess_api
    from webapp.api.opponent_routes import opponent_api
    from webapp.api.orders_routes import orders_api
    from webapp.api.player_routes import player_api
    from webapp.api.player_search import player_search_api
    from webapp.api.routes import api

    server.register_blueprint(api)
    server.register_blueprint(player_api)
    server.register_blueprint(lichess_api)
    register_cors(server)
    server.register_blueprint(player_search_api)
    server.register_blueprint(breakdown_api)
    server.register_blueprint(games_api)
    server.register_blueprint(flags_api)
    server.register_blueprint(opponent_api)
    server.register_blueprint(orders_api)
    register_error_handlers(server)
