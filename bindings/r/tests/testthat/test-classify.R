test_that("classify() by the midpoint gives the quadrants written out here", {
  # On 1-7 the midpoint is 4: anxiety and avoidance above it are high, below low, on it
  # unclassified (at_cut's default).
  s <- data.frame(avoidance = c(2, 2, 6, 6, 4, 3), anxiety = c(2, 6, 2, 6, 3, 4),
                  row.names = paste0("p", 1:6))
  s$avoidance_n <- 18L
  s$anxiety_n <- 18L
  c <- bowlby::classify(s, instrument = "ecr")
  expect_identical(levels(c$category), c("secure", "preoccupied", "dismissing", "fearful", "unclassified"))
  expect_identical(as.character(c$category),
                   c("secure", "preoccupied", "dismissing", "fearful", "unclassified", "unclassified"))
  expect_identical(rownames(c), rownames(s))
  expect_true(all(is.na(c$category_p)))  # no SEMs given
  p <- bowlby::classify(s, instrument = "ecr", sem = c(0.3, 0.3))$category_p
  expect_true(all(p[1:4] > 0.5 & p[1:4] <= 1))
})

test_that("classify() reads score()'s output with its instrument and scale", {
  set.seed(3)
  x <- matrix(sample(1:5, 50 * 36, replace = TRUE), 50, 36)
  s <- bowlby::score(x, "ecr", scale = c(1, 5))
  c <- bowlby::classify(s)
  high_anx <- s$anxiety > 3
  high_avo <- s$avoidance > 3
  expected <- ifelse(s$anxiety == 3 | s$avoidance == 3, "unclassified",
                     ifelse(high_anx, ifelse(high_avo, "fearful", "preoccupied"),
                            ifelse(high_avo, "dismissing", "secure")))
  expect_identical(as.character(c$category), expected)
})

test_that("a row with a missing score does not change the category of later rows", {
  # (NA, 2.5) and (3, 2.5) compare equal under a map's ordering when NaN is a key: the second
  # row took the first's unclassified before missing scores were classified one by one.
  s <- data.frame(avoidance = c(2.5, 2.5, 5, 5), anxiety = c(NA, 3, NA, 6))
  c <- bowlby::classify(s, instrument = "ecr")
  expect_identical(as.character(c$category), c("unclassified", "secure", "unclassified", "fearful"))
})
