// Local launcher of data-parallel ranks (gan-train --nproc N): what torchrun does on one machine.
#pragma once

#include <string>
#include <vector>

namespace gankit::cli {

// Runs `nproc` copies of this executable with arguments `args` (argv[1..]), rank r with RANK=r,
// LOCAL_RANK=r, WORLD_SIZE=nproc, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT, and waits for all.
// SIGINT and SIGTERM sent to the launcher are passed on. Returns 0 when every rank succeeded.
// When one fails, the others are stopped (SIGTERM) and Error(Data) names the rank and how it
// ended (its exit code is kept: a rank's usage error stays exit 1).
int launch_local_ranks(int nproc, const std::vector<std::string>& args);

}  // namespace gankit::cli
