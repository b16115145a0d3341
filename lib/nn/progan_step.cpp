#include "progan_step.h"

#include <torch/torch.h>

#include "data_parallel.h"
#include "gan_loss.h"

namespace gankit {

StepStats progan_step(GanModels& m, const TrainConfig& c, const torch::Tensor& reals, const ProganPosition& pos,
                      at::Generator gen, DataParallel* parallel) {
  const int rank = parallel ? parallel->rank() : 0, world = parallel ? parallel->world() : 1;
  const int64_t n = reals.size(0) * world;  // the global minibatch
  // z for the whole minibatch, this rank's rows
  auto latent = [&] {
    const torch::Tensor z = torch::randn({n, c.z_dim}, gen);
    return (parallel ? parallel->part(z) : z).to(reals.device());
  };
  auto critic = [&](const torch::Tensor& x) { return m.pd->forward(x, pos.level, pos.alpha); };
  StepStats s;
  {
    const torch::Tensor z = latent();
    torch::Tensor fake;
    {
      torch::NoGradGuard no_grad;
      fake = m.pg->forward(z, pos.level, pos.alpha);
    }
    const torch::Tensor d_real = critic(reals), d_fake = critic(fake);
    const torch::Tensor loss_d = discriminator_loss(c.loss, d_real, d_fake);
    torch::Tensor total = loss_d;
    if (c.gp_lambda > 0) {
      const torch::Tensor gp = gradient_penalty(critic, reals, fake, c.gp_lambda, gen, rank, world);
      total = total + gp;
      s.gp = gp.item<double>();
    }
    if (c.drift > 0) {  // keeps the critic's output near zero (the paper's epsilon_drift)
      const torch::Tensor drift = c.drift * d_real.pow(2).mean();
      total = total + drift;
      s.drift = drift.item<double>();
    }
    m.opt_d->zero_grad();
    total.backward();
    if (parallel) parallel->average_gradients(m.pd->parameters());
    m.opt_d->step();
    s.loss_d = loss_d.item<double>();
    s.d_real = d_real.mean().item<double>();
    s.d_fake = d_fake.mean().item<double>();
    s.critic_updates = 1;
    s.images = n;
  }
  update_moving_average(*m.pg_ema, *m.pg, c.g_ema);
  // Generator update: D's weights take no gradient (saves a third of D's backward pass).
  std::vector<torch::Tensor> d_params = m.pd->parameters();
  for (auto& p : d_params) p.requires_grad_(false);
  const torch::Tensor z = latent();
  const torch::Tensor loss_g = generator_loss(c.loss, critic(m.pg->forward(z, pos.level, pos.alpha)));
  m.opt_g->zero_grad();
  loss_g.backward();
  if (parallel) parallel->average_gradients(m.pg->parameters());
  m.opt_g->step();
  for (auto& p : d_params) p.requires_grad_(true);
  s.loss_g = loss_g.item<double>();
  if (parallel) {
    const auto v = parallel->average({s.loss_d, s.d_real, s.d_fake, s.gp, s.drift, s.loss_g});
    s.loss_d = v[0], s.d_real = v[1], s.d_fake = v[2], s.gp = v[3], s.drift = v[4], s.loss_g = v[5];
  }
  return s;
}

}  // namespace gankit
