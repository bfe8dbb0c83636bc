// SendResult cuts a large result into pieces that ResultAssembler puts together exactly; a
// result that fits goes whole; corrupt or foreign pieces are DataLoss.
#include "runtime/scheduling/result_pieces.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace parsweep {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

WorkBatchResult ResultOf(uint64_t id, int responses, size_t bytes_each) {
  WorkBatchResult result;
  result.set_id(id);
  for (int i = 0; i < responses; ++i) {
    result.add_responses(std::string(bytes_each, static_cast<char>('a' + i % 26)));
  }
  return result;
}

WorkBatch BatchOf(uint64_t id) {
  WorkBatch batch;
  batch.set_id(id);
  batch.add_items()->set_index(5);
  return batch;
}

TEST(ResultPiecesTest, ASmallResultGoesWhole) {
  const WorkBatchResult result = ResultOf(3, 2, 10);
  std::vector<WorkBatchResult> whole;
  int pieces = 0;
  EXPECT_TRUE(SendResult(
      BatchOf(3), result, 1024,
      [&](const WorkBatchResult& r) {
        whole.push_back(r);
        return true;
      },
      [&](const ResultPiece&) { return ++pieces > 0; }));
  ASSERT_THAT(whole, SizeIs(1));
  EXPECT_EQ(whole[0].SerializeAsString(), result.SerializeAsString());
  EXPECT_EQ(pieces, 0);
}

TEST(ResultPiecesTest, ALargeResultTravelsInPiecesEachWithinTheLimitAndComesBackExactly) {
  const WorkBatchResult result = ResultOf(7, 40, 500);  // About 20 kB.
  for (size_t limit : {size_t{1024}, size_t{4096}, size_t{20000}}) {
    std::vector<ResultPiece> pieces;
    EXPECT_TRUE(SendResult(
        BatchOf(7), result, limit, [](const WorkBatchResult&) { return false; },
        [&](const ResultPiece& piece) {
          pieces.push_back(piece);
          return true;
        }));
    ASSERT_GT(pieces.size(), 1u) << limit;
    ResultAssembler assembler;
    for (size_t i = 0; i < pieces.size(); ++i) {
      EXPECT_LE(pieces[i].ByteSizeLong() + 16, limit);
      EXPECT_EQ(pieces[i].last(), i + 1 == pieces.size());
      absl::StatusOr<std::optional<WorkBatchResult>> got = assembler.Add(pieces[i], 7);
      ASSERT_TRUE(got.ok()) << got.status();
      ASSERT_EQ(got->has_value(), i + 1 == pieces.size());
      if (got->has_value()) {
        EXPECT_EQ((*got)->SerializeAsString(), result.SerializeAsString());
      }
    }
  }
}

TEST(ResultPiecesTest, AFailedSendStopsThePieces) {
  int sent = 0;
  EXPECT_FALSE(SendResult(
      BatchOf(1), ResultOf(1, 40, 500), 1024, [](const WorkBatchResult&) { return true; },
      [&](const ResultPiece&) { return ++sent < 2; }));
  EXPECT_EQ(sent, 2);
}

TEST(ResultPiecesTest, PiecesOfAnotherBatchOrThatDoNotParseAreDataLoss) {
  ResultAssembler assembler;
  ResultPiece piece;
  piece.set_batch(2);
  piece.set_data("\xff\xff\xff");
  piece.set_last(true);
  absl::StatusOr<std::optional<WorkBatchResult>> got = assembler.Add(piece, 3);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("batch 2 came while batch 3 ran"));
  got = assembler.Add(piece, 2);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr("does not parse"));
  // A whole result of another batch is as foreign as its pieces.
  piece.set_data(ResultOf(9, 1, 3).SerializeAsString());
  EXPECT_EQ(assembler.Add(piece, 2).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace parsweep
