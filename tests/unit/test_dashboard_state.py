"""ViewState transitions: clicks on squares, promotions, back/forward, filters → queries."""

from __future__ import annotations

import chess

from webapp.dashboard import state as st
from webapp.dashboard.state import Filters, Selection, ViewState


def test_clicking_a_piece_picks_it_up_and_marks_its_targets() -> None:
    state, selection = st.click_square(ViewState(), Selection(), "g1")
    assert selection == Selection(square="g1")
    assert st.targets(state, selection) == [chess.F3, chess.H3]


def test_clicking_a_target_plays_the_move() -> None:
    state, selection = st.click_square(ViewState(), Selection(square="e2"), "e4")
    assert (state.line, state.ply, selection) == (("e2e4",), 1, Selection())


def test_clicking_an_empty_or_enemy_square_first_does_nothing() -> None:
    for square in ("e4", "e7"):  # empty; black's pawn while white is to move
        assert st.click_square(ViewState(), Selection(), square) == (ViewState(), Selection())


def test_clicking_the_picked_square_again_lets_go() -> None:
    assert st.click_square(ViewState(), Selection(square="e2"), "e2") == (ViewState(), Selection())


def test_clicking_another_own_piece_picks_that_one_up() -> None:
    assert st.click_square(ViewState(), Selection(square="e2"), "d2")[1] == Selection(square="d2")


def test_an_illegal_target_drops_the_selection() -> None:
    assert st.click_square(ViewState(), Selection(square="e2"), "e5") == (ViewState(), Selection())


def test_a_piece_without_legal_moves_cannot_be_picked_up() -> None:
    # Scholar's mate, 1.e4 e5 2.Qh5 Nc6 3.Bc4 Nf6?? 4.Qxf7#: black has no legal move left.
    state = ViewState(line=("e2e4", "e7e5", "d1h5", "b8c6", "f1c4", "g8f6", "h5f7"), ply=7)
    assert state.board().is_checkmate()
    assert st.click_square(state, Selection(), "c6") == (state, Selection())


def test_a_pawn_reaching_the_last_rank_asks_for_a_piece() -> None:
    # White pawn on b7 can take a8 or c8 or push to b8 (after 1.a4 b5 2.axb5 a6 3.bxa6 Bb7 4.axb7).
    line = ("a2a4", "b7b5", "a4b5", "a7a6", "b5a6", "c8b7", "a6b7", "b8c6")
    state = ViewState(line=line, ply=len(line))
    state, selection = st.click_square(state, Selection(square="b7"), "a8")
    assert selection == Selection(square="b7", promotion="b7a8")
    assert state.ply == len(line)  # nothing played yet
    state, selection = st.choose_promotion(state, selection, "n")
    assert (state.line[-1], selection) == ("b7a8n", Selection())
    assert state.board().piece_at(chess.A8) == chess.Piece(chess.KNIGHT, chess.WHITE)


def test_cancelling_a_promotion_plays_nothing() -> None:
    state = ViewState()
    assert st.choose_promotion(state, Selection(square="b7", promotion="b7a8"), None) == (state, Selection())


def test_replaying_the_next_move_keeps_the_line_ahead() -> None:
    state = ViewState(line=("e2e4", "e7e5", "g1f3"), ply=1)
    assert st.play_move(state, "e7e5") == ViewState(line=("e2e4", "e7e5", "g1f3"), ply=2)
    assert st.play_move(state, "c7c5") == ViewState(line=("e2e4", "c7c5"), ply=2)


def test_an_illegal_move_changes_nothing() -> None:
    assert st.play_move(ViewState(), "e2e5") == ViewState()


def test_back_forward_reset_flip() -> None:
    state = ViewState(line=("e2e4", "e7e5"), ply=2)
    assert st.back(state).ply == 1
    assert st.back(st.back(st.back(state))).ply == 0
    assert st.forward(state).ply == 2
    assert st.forward(st.back(state)).ply == 2
    assert st.go_to(state, 7).ply == 2
    assert st.reset(state) == ViewState()
    assert st.flip(state).orientation == "black"
    assert st.flip(st.flip(state)) == state


def test_filters_keep_the_position() -> None:
    state = ViewState(line=("e2e4",), ply=1)
    changed = st.with_filters(state, Filters(speeds=("blitz",)))
    assert (changed.line, changed.ply, changed.filters.speeds) == (("e2e4",), 1, ("blitz",))


def test_the_store_round_trip_and_garbage() -> None:
    state = ViewState(line=("e2e4", "e7e5"), ply=1, orientation="black",
                      filters=Filters(player="alice", color="white", rating_min=1600))
    assert ViewState.from_dict(state.to_dict()) == state
    assert ViewState.from_dict(None) == ViewState()
    assert ViewState.from_dict({"line": ["e2e4", "e2e4"], "ply": 9, "orientation": 3}) == ViewState(
        line=("e2e4",), ply=1
    )


def test_explorer_query_carries_every_filter() -> None:
    state = ViewState(
        line=("e2e4", "e7e5"),
        ply=1,
        filters=Filters(speeds=("blitz",), rating_min=1600, rating_max=1999, since="2013-01",
                        until="2013-02", player="Alice", color="black", rated=True,
                        collections=("masters", "otb")),
    )
    query, problem = st.explorer_query(state)
    assert problem is None
    assert (query.play, query.player, query.color, query.rated_only) == (("e2e4",), "alice", "black", True)
    assert (query.rating_min, query.rating_max, query.since, query.until) == (1600, 1999, 201301, 201302)
    assert query.collections == ("masters", "otb")
    assert query.without_player().collections == ("masters", "otb")  # the peers' games too


def test_collections_in_the_store_are_checked_names() -> None:
    filters = Filters(collections=("masters", "otb"))
    assert Filters.from_dict(filters.to_dict()) == filters
    assert filters.to_dict()["collections"] == ["masters", "otb"]
    stored = {"collections": ["OTB", "masters", "otb", "no spaces", "", 7]}
    assert Filters.from_dict(stored).collections == ("7", "masters", "otb")
    assert Filters.from_dict({"collections": "masters"}).collections == ("masters",)
    assert Filters.from_dict({}).collections == ()


def test_a_collection_that_does_not_exist_is_ignored_and_named() -> None:
    state = ViewState(filters=Filters(collections=("masters", "nowhere"), speeds=("blitz",)))
    query, problem = st.explorer_query(state, known_collections={"masters", "lichess"})
    assert query.collections == ("masters",) and query.speeds  # the rest stays
    assert problem == "no collection named nowhere (ignored)"
    query, problem = st.explorer_query(ViewState(filters=Filters(collections=("nowhere",))), set())
    assert query.collections == () and problem == "no collection named nowhere (ignored)"
    query, problem = st.explorer_query(state)  # nothing known to check against: asked as chosen
    assert query.collections == ("masters", "nowhere") and problem is None


def test_a_filter_the_explorer_rejects_is_left_out_and_named() -> None:
    query, problem = st.explorer_query(ViewState(filters=Filters(player="no <such> name", speeds=("rapid",))))
    assert query.player is None and query.speeds  # the rest of the filters stay
    assert problem is not None and "player" in problem
    query, problem = st.explorer_query(ViewState(filters=Filters(since="2014-01", until="2013-01")))
    assert (query.since, query.until) == (None, None)
    assert problem is not None and "since" in problem


# --- positions jumped to, castling onto the rook, drag and drop ---------------------------

ITALIAN = ("e2e4", "e7e5", "g1f3", "b8c6", "f1c4", "f8c5")  # white may castle short


def test_clicking_the_king_then_its_rook_castles() -> None:
    state = ViewState(line=ITALIAN, ply=len(ITALIAN))
    state, selection = st.click_square(state, Selection(), "e1")
    assert st.castling_rooks(state, selection) == [chess.H1]
    state, selection = st.click_square(state, selection, "h1")
    assert (state.line[-1], selection) == ("e1g1", Selection())
    board = state.board()
    assert board.piece_at(chess.G1) == chess.Piece(chess.KING, chess.WHITE)
    assert board.piece_at(chess.F1) == chess.Piece(chess.ROOK, chess.WHITE)


def test_clicking_the_king_then_a_rook_it_cannot_castle_with_picks_up_the_rook() -> None:
    # Queen side is still blocked by the b1 knight, c1 bishop and d1 queen.
    state = ViewState(line=ITALIAN, ply=len(ITALIAN))
    assert st.click_square(state, Selection(square="e1"), "a1") == (state, Selection())  # a1 rook has no move


def test_dragging_a_piece_plays_its_move_and_a_bad_drop_does_nothing() -> None:
    assert st.drop_piece(ViewState(), "g1", "f3")[0].line == ("g1f3",)
    assert st.drop_piece(ViewState(), "g1", "g3") == (ViewState(), Selection())
    assert st.drop_piece(ViewState(), "e4", "d2") == (ViewState(), Selection())  # empty origin: no pick-up
    state = ViewState(line=ITALIAN, ply=len(ITALIAN))
    assert st.drop_piece(state, "e1", "h1")[0].line[-1] == "e1g1"  # king dropped onto its rook


def test_a_jump_to_a_fen_plays_on_from_there() -> None:
    fen = "rnbqkbnr/pp1ppppp/8/2p5/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2"
    state = st.jump_to(ViewState(filters=Filters(speeds=("blitz",))), fen, ())
    assert (state.fen, state.line, state.ply, state.filters.speeds) == (fen, (), 0, ("blitz",))
    state, _ = st.click_square(state, Selection(square="b8"), "c6")
    assert state.line == ("b8c6",)
    assert ViewState.from_dict(state.to_dict()) == state
    query, problem = st.explorer_query(state)
    assert (query.fen, query.play, problem) == (fen, ("b8c6",), None)
    assert st.reset(state) == ViewState(filters=state.filters)


def test_a_stored_state_with_a_bad_fen_falls_back_to_the_start() -> None:
    bad = {"fen": "8/8/8/8/8/8/8/8 w - - 0 1", "line": ["e2e4"], "ply": 1}
    assert ViewState.from_dict(bad) == ViewState(line=("e2e4",), ply=1)
