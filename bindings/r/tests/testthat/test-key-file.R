# Key files (docs/key-files.md) read by read_key() and taken as a path by score() and the
# others, through the bowlby tool's own parser.

# A six-item scale on 1-5: closeness (c1 c2 c3, c2 reversed) and worry (w1 w2 w3), both means;
# -99 means "no answer" and 70% of a subscale's items must be answered.
own_key <- function(dir = tempdir()) {
  path <- tempfile("own", tmpdir = dir, fileext = ".json")
  writeLines(c(
    '{',
    '  "bowlby_key": 1,',
    '  "id": "own",',
    '  "name": "Own closeness and worry",',
    '  "scale": {"min": 1, "max": 5},',
    '  "items": ["c1", "c2", "c3", "w1", "w2", "w3"],',
    '  "subscales": [',
    '    {"name": "closeness", "items": ["c1", "c2", "c3"], "reversed": ["c2"]},',
    '    {"name": "worry", "items": [4, 5, 6]}',
    '  ],',
    '  "missing_codes": [-99],',
    '  "min_answered": 0.7',
    '}'), path)
  path
}

own_answers <- function() {
  data.frame(c1 = c(1, 5, 2), c2 = c(2, -99, 5), c3 = c(3, 4, 1), w1 = c(4, 2, 3), w2 = c(5, NA, 3),
             w3 = c(1, 2, -9), row.names = c("a", "b", "c"))
}

test_that("read_key() gives the key's questionnaire with its missing codes and min_answered", {
  q <- bowlby::read_key(own_key())
  expect_s3_class(q, "bowlby_questionnaire")
  expect_identical(q$id, "own")
  expect_identical(q$n_items, 6L)
  expect_equal(q$scale, c(1, 5))
  expect_identical(q$item_names, c("c1", "c2", "c3", "w1", "w2", "w3"))
  expect_identical(vapply(q$subscales, `[[`, "", "name"), c("closeness", "worry"))
  expect_identical(q$subscales[[1]]$items, 1:3)
  expect_identical(q$subscales[[1]]$reversed, 2L)
  expect_identical(q$subscales[[2]]$items, 4:6)
  expect_identical(q$missing_codes, -99)
  expect_identical(q$min_answered, 0.7)
})

test_that("a key file's scores are the keyed means by hand, with its missing codes and min_answered", {
  path <- own_key()
  x <- own_answers()
  # -99 is the key's code, -9 the call's; both are "no answer".
  s <- bowlby::score(x, path, missing = -9)
  # Row a, all answered: closeness = (1 + (5 + 1 - 2) + 3) / 3 = 8/3; worry = (4 + 5 + 1) / 3.
  # Row b: closeness has c1 = 5 and c3 = 4 (c2 is -99), worry w1 = 2 and w3 = 2 (w2 NA): 2 of 3
  # items, under the key's 70%, so both are missing.
  # Row c: closeness = (2 + (5 + 1 - 5) + 1) / 3 = 4/3; worry has 3 and 3 (w3 is -9): 2 of 3,
  # missing.
  expect_equal(s$closeness, c(8 / 3, NA, 4 / 3), tolerance = 1e-12)
  expect_equal(s$worry, c(10 / 3, NA, NA), tolerance = 1e-12)
  expect_identical(s$closeness_n, c(3L, 2L, 3L))
  expect_identical(s$worry_n, c(3L, 2L, 2L))
  expect_identical(as.character(s$status), c("complete", "insufficient", "insufficient"))
  expect_identical(rownames(s), c("a", "b", "c"))

  # min_answered given by the call overrides the key's: 2 of 3 passes the half rule, and the
  # score is the mean of the answered items.
  h <- bowlby::score(x, path, missing = -9, min_answered = 0.5)
  expect_equal(h$closeness, c(8 / 3, (5 + 4) / 2, 4 / 3), tolerance = 1e-12)
  expect_equal(h$worry, c(10 / 3, (2 + 2) / 2, (3 + 3) / 2), tolerance = 1e-12)
  expect_identical(as.character(h$status), c("complete", "prorated", "prorated"))

  # read_key()'s questionnaire carries the same defaults.
  expect_identical(bowlby::score(x, bowlby::read_key(path), missing = -9)[1:5], s[1:5])
  # Without the call's -9, it is an invalid answer (the key's -99 alone is a code).
  expect_error(bowlby::score(x, path), class = "bowlby_invalid_response")
  # The same key built in R, with the key file's defaults given by hand, scores the same.
  q <- bowlby::questionnaire("own", 6, scale = c(1, 5))
  q <- bowlby::add_subscale(q, "closeness", 1:3, reversed = 2)
  q <- bowlby::add_subscale(q, "worry", 4:6)
  expect_identical(bowlby::score(x, q, missing = c(-9, -99), min_answered = 0.7)[1:5], s[1:5])
  # The ".json" suffix in any case is a key file.
  upper <- sub("\\.json$", ".JSON", path)
  file.copy(path, upper)
  expect_identical(bowlby::score(x, upper, missing = -9)[1:5], s[1:5])
})

test_that("reliability(), dyads() and change() take a key file's path with its defaults", {
  path <- own_key()
  q <- bowlby::questionnaire("own", 6, scale = c(1, 5))
  q <- bowlby::add_subscale(q, "closeness", 1:3, reversed = 2)
  q <- bowlby::add_subscale(q, "worry", 4:6)
  set.seed(5)
  x <- matrix(sample(1:5, 60 * 6, replace = TRUE), 60, 6, dimnames = list(NULL, c("c1", "c2", "c3", "w1", "w2", "w3")))
  x[sample(length(x), 30)] <- -99
  na <- x
  na[na == -99] <- NA
  expect_equal(bowlby::reliability(x, path)$closeness$total, bowlby::reliability(na, q)$closeness$total,
               tolerance = 1e-12)

  d <- data.frame(couple = rep(1:30, each = 2), x)
  by_path <- bowlby::dyads(d, path, dyad = "couple")
  by_hand <- bowlby::dyads(d, q, dyad = "couple", missing = -99, min_answered = 0.7)
  expect_equal(as.data.frame(by_path), as.data.frame(by_hand))
  expect_false(identical(as.data.frame(by_path),
                         as.data.frame(bowlby::dyads(d, q, dyad = "couple", missing = -99))))

  pre <- data.frame(id = 1:30, x[1:30, ])
  post <- data.frame(id = 1:30, x[31:60, ])
  expect_equal(as.data.frame(bowlby::change(pre, post, path, id = "id")),
               as.data.frame(bowlby::change(pre, post, q, id = "id", missing = -99, min_answered = 0.7)))
})

test_that("a built-in exported by the tool scores as the built-in", {
  tool <- Sys.getenv("BOWLBY_CLI")
  if (!nzchar(tool) || !file.exists(tool))
    skip("the bowlby tool is absent (set BOWLBY_CLI to the built tool, build/release/bowlby)")
  path <- tempfile("ecr-r", fileext = ".json")
  status <- system2(tool, c("instruments", "--export", "ecr-r"), stdout = path, stderr = FALSE)
  expect_identical(status, 0L)
  set.seed(3)
  x <- matrix(sample(1:7, 50 * 36, replace = TRUE), 50, 36)
  x[sample(length(x), 120)] <- NA
  ours <- bowlby::score(x, path)
  builtin <- bowlby::score(x, "ecr-r")
  expect_identical(as.data.frame(unclass(ours)[names(builtin)]), as.data.frame(unclass(builtin)[names(builtin)]))
  expect_identical(names(ours), names(builtin))
  expect_identical(bowlby::reliability(x, path)$anxiety$total, bowlby::reliability(x, "ecr-r")$anxiety$total)
  expect_identical(bowlby::classify(ours)$category, bowlby::classify(builtin)$category)
  expect_identical(bowlby::classify(builtin, instrument = path)$category, bowlby::classify(builtin)$category)
})

test_that("a malformed key file is a bowlby_key_error naming the file, the JSON path and the problem", {
  path <- tempfile("bad", fileext = ".json")
  writeLines('{"bowlby_key": 1, "id": "bad", "scale": {"min": 1, "max": 5}, "n_items": 4,
    "subscales": [{"name": "a", "items": [1, 2], "reversed": [40]}]}', path)
  msg <- paste0(path, ": subscales[0].reversed[0]: item 40 is not one of the key's 4 items")
  e <- tryCatch(bowlby::read_key(path), error = function(e) e)
  expect_s3_class(e, "bowlby_key_error")
  expect_s3_class(e, "bowlby_error")
  expect_identical(conditionMessage(e), msg)
  e2 <- tryCatch(bowlby::score(matrix(1, 1, 4), path), error = function(e) e)
  expect_s3_class(e2, "bowlby_key_error")
  expect_identical(conditionMessage(e2), msg)

  writeLines('{"bowlby_key": 1,\n "id": }', path)
  e3 <- tryCatch(bowlby::read_key(path), error = function(e) e)
  expect_s3_class(e3, "bowlby_key_error")
  expect_true(startsWith(conditionMessage(e3), paste0(path, ": line 2, column ")))
  expect_match(conditionMessage(e3), ": not valid JSON (", fixed = TRUE)

  absent <- file.path(tempdir(), "no-such-key.json")
  expect_error(bowlby::read_key(absent), paste0("cannot open the key file '", absent, "'"), fixed = TRUE,
               class = "bowlby_key_error")
  expect_error(bowlby::read_key(3), class = "bowlby_option_error")
})

test_that("without items, a key file's item names find their columns, in any order and among others", {
  path <- own_key()
  x <- own_answers()
  # The items shuffled, with an id and a comment column around them: found by name.
  mixed <- data.frame(id = 1:3, w3 = x$w3, c2 = x$c2, note = c("x", "y", "z"), c1 = x$c1, w1 = x$w1, c3 = x$c3,
                      w2 = x$w2, row.names = rownames(x))
  expect_identical(bowlby::score(mixed, path, missing = -9), bowlby::score(x, path, missing = -9))
  expect_identical(suppressWarnings(bowlby::reliability(mixed, path, missing = -9))$closeness$item.stats,
                   suppressWarnings(bowlby::reliability(x, path, missing = -9))$closeness$item.stats)
  # Not all of them present: the columns as they are, which must then be the items.
  expect_error(bowlby::score(mixed[names(mixed) != "w2"], path), "the instrument has 6 items; data has 7 columns",
               class = "bowlby_shape_error")
})
