"""Component ids of the dashboard, in one place (pattern-matching ids use a `type` and an `index`)."""

from __future__ import annotations

# state
LOCATION = "url"
VIEW_STATE = "view-state"  # line, ply, orientation, filters (session storage, mirrors the URL)
SELECTION = "selection"  # the piece picked up and a pending promotion (memory)
RECORDED_PLAYER = "recorded-player"  # the last unknown name noted for this browser
DATA_VERSION = "data-version"  # bumped when an upload lands, so the explorer redraws
INDEXING_POLL = "indexing-poll"  # ticks while a chosen player's games are being counted
CLICK = "click"  # the last click on a square, move row or ply, set from assets/clicks.js
EMPTY_DATABASE = "empty-database"  # true when the explorer found no games at all

# board
BOARD_IMAGE = "board-image"
BOARD_OVERLAY = "board-overlay"
BACK = "back"
FORWARD = "forward"
RESET = "reset"
FLIP = "flip"
MOVE_LINE = "move-line"
PROMOTION_MODAL = "promotion-modal"
PROMOTION = "promotion"  # pattern type: {"type": PROMOTION, "index": "q"}
JUMP_TEXT = "jump-text"  # a FEN or a move list to jump to
JUMP_GO = "jump-go"
JUMP_MESSAGE = "jump-message"

# explorer (the panel's children are redrawn as one, so a move costs one update)
EXPLORER_PANEL = "explorer-panel"
OPENING = "opening"
TOTALS = "totals"
MOVES = "moves"
MESSAGE = "message"
LOADING = "moves-loading"

# filters
COLLECTIONS = "filter-collections"  # toggle buttons, one per collection with games
COLLECTIONS_LABEL = "filter-collections-label"
PLAYER = "filter-player"
COLOR = "filter-color"
RATING = "filter-rating"
RATING_LABEL = "filter-rating-label"
SPEEDS = "filter-speeds"
MONTHS = "filter-months"  # a range slider over the games' months (since / until)
MONTHS_LABEL = "filter-months-label"
RATED = "filter-rated"
NO_TIME_LOSSES = "filter-no-time-losses"
FILTER_PROBLEM = "filter-problem"
URL_NOTICE = "url-notice"  # what the opened link asked for that was left out

# getting games in
UPLOAD_COLLAPSE = "upload-collapse"
UPLOAD_TOGGLE = "upload-toggle"
UPLOAD = "upload"
UPLOAD_COLLECTION = "upload-collection"  # the collection an upload's games go to (empty: their site)
UPLOAD_PROGRESS = "upload-progress"
UPLOAD_STATUS = "upload-status"
UPLOAD_RESULT = "upload-result"
UPLOAD_TOO_LARGE = "upload-too-large"  # a file the browser refused as over the limit
EMPTY_NOTICE = "empty-notice"

TABS = "tabs"

# the explorer's row (board, moves, filters): hidden while the game viewer is shown
EXPLORER_ROW = "explorer-row"
# games lists under the moves table (games_panel)
GAMES_PANEL = "games-panel"

# the game viewer (game_viewer): a stored game stepped through, opened by `game=` in the URL
VIEWER = "game-viewer"
VIEWER_ID = "viewer-id"  # the URL's `game=` (memory; set in the browser when it changes)
VIEWER_GAME = "viewer-game"  # the game shown: moves, SAN, clocks, players (memory)
VIEWER_PLY = "viewer-ply"  # the ply shown (memory)
VIEWER_CLICK = "viewer-click"  # the last click on a move of the list, set from assets/viewer.js
VIEWER_HEADER = "viewer-header"
VIEWER_BODY = "viewer-body"  # board, moves and numbers (hidden when the game is not found)
VIEWER_BOARD = "viewer-board"
VIEWER_CLOCKS = "viewer-clocks"
VIEWER_MOVES = "viewer-moves"
VIEWER_NUMBERS = "viewer-numbers"
VIEWER_FIRST = "viewer-first"
VIEWER_PREVIOUS = "viewer-previous"
VIEWER_NEXT = "viewer-next"
VIEWER_LAST = "viewer-last"
VIEWER_BACK = "viewer-back"  # back to the explorer (a link: the URL without `game=`)
