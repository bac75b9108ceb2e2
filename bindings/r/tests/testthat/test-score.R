# A small ECR sample on 1-7 with missing answers, made here from a seed.
ecr_sample <- function(n = 40) {
  set.seed(11)
  x <- matrix(sample(1:7, n * 36, replace = TRUE), n, 36, dimnames = list(paste0("p", seq_len(n)), paste0("Q", 1:36)))
  x[sample(length(x), 60)] <- NA
  x[3, seq(2, 36, 2)[1:12]] <- NA  # row 3: 6 of 18 anxiety items answered, under the half rule
  x
}

# rowMeans of the keyed items (reversed as 8 - x on 1-7), missing under half the items answered.
by_hand <- function(x, odd) {
  cols <- if (odd) seq(1, 36, 2) else seq(2, 36, 2)
  keyed <- x
  keyed[, ecr_reversed] <- 8 - keyed[, ecr_reversed]
  k <- keyed[, cols, drop = FALSE]
  m <- rowMeans(k, na.rm = TRUE)
  m[rowSums(!is.na(k)) < length(cols) / 2] <- NA
  m
}

test_that("score() equals rowMeans of the keyed items", {
  x <- ecr_sample()
  s <- bowlby::score(x, "ecr")
  expect_equal(s$avoidance, unname(by_hand(x, TRUE)), tolerance = 1e-12)
  expect_equal(s$anxiety, unname(by_hand(x, FALSE)), tolerance = 1e-12)
  expect_equal(s$anxiety_n, unname(rowSums(!is.na(x[, seq(2, 36, 2)]))))
  expect_true(is.na(s$anxiety[3]))
})

test_that("score() keeps row names and takes data.frames, integer matrices, tibbles and spans", {
  x <- ecr_sample()
  s <- bowlby::score(x, "ecr")
  expect_identical(rownames(s), rownames(x))
  d <- data.frame(id = seq_len(nrow(x)), x, check.names = FALSE)
  rownames(d) <- paste0("r", seq_len(nrow(x)))
  sd <- bowlby::score(d, "ecr", items = "Q1:Q36")
  expect_identical(rownames(sd), rownames(d))
  expect_equal(sd$anxiety, s$anxiety)
  expect_equal(bowlby::score(d, "ecr", items = 2:37)$avoidance, s$avoidance)
  storage.mode(x) <- "integer"
  expect_equal(bowlby::score(x, "ecr")$anxiety, s$anxiety)
  skip_if_not_installed("tibble")
  st <- bowlby::score(tibble::as_tibble(d), "ecr", items = "Q1:Q36")
  expect_equal(st$anxiety, s$anxiety)
})

test_that("status is a factor with the library's levels", {
  s <- bowlby::score(ecr_sample(), "ecr")
  expect_s3_class(s$status, "factor")
  expect_identical(levels(s$status), c("complete", "prorated", "insufficient"))
  expect_identical(as.character(s$status[3]), "insufficient")
  expect_true(all(c("complete", "prorated") %in% as.character(s$status)))
})

test_that("score() on the data's own scale and missing codes, as the real ECR file needs", {
  items <- ecr_file()
  raw <- items
  raw[is.na(raw)] <- 0
  s <- bowlby::score(raw, "ecr", scale = c(1, 5), missing = 0)
  keyed <- as.matrix(items)
  keyed[, ecr_reversed] <- 6 - keyed[, ecr_reversed]
  k <- keyed[, seq(2, 36, 2)]
  m <- rowMeans(k, na.rm = TRUE)
  m[rowSums(!is.na(k)) < 9] <- NA
  expect_equal(s$anxiety, unname(m), tolerance = 1e-12)
})

test_that("questionnaire() makes a key of one's own", {
  q <- bowlby::questionnaire("mine", 4, scale = c(1, 5))
  q <- bowlby::add_subscale(q, "closeness", 1:2, reversed = 2)
  q <- bowlby::add_subscale(q, "worry", 3:4, aggregation = "sum")
  q <- bowlby::add_derived(q, "balance", c(closeness = 1, worry = -1))
  x <- rbind(c(1, 2, 3, 4), c(5, 5, NA, 2))
  s <- bowlby::score(x, q)
  expect_equal(s$closeness, c((1 + 4) / 2, (5 + 1) / 2))
  expect_equal(s$worry, c(3 + 4, 2 * 2))  # a sum is prorated: mean of the answered times 2
  expect_equal(s$balance, s$closeness - s$worry)
  expect_output(print(q), "closeness, worry")
})

test_that("instruments() lists the built-ins", {
  i <- bowlby::instruments()
  expect_true(all(c("id", "name", "items", "scale_min", "scale_max", "scores", "citation") %in% names(i)))
  expect_identical(i$items[i$id == "ecr"], 36L)
})
