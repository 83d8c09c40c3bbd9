using System.Diagnostics;
using Stuff.Configuration;
using Stuff.Server;

namespace Stuff.Setup;

/// <summary>Runs setup's steps (and rollback's share of them) with their progress on the terminal.</summary>
public static class StepRunner
{
    /// <summary>Runs steps in order, each checked, applied when needed and checked again; the names of those that changed something.</summary>
    public static async Task<List<string>> RunAsync(SetupContext context, IReadOnlyList<Step> steps, TextWriter output, CancellationToken cancellationToken)
    {
        var changed = new List<string>();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var clock = Stopwatch.StartNew();
            var prefix = $"[{i + 1}/{steps.Count}] {step.Name} ... ";
            await output.WriteAsync(prefix);
            await output.FlushAsync(cancellationToken);
            var spinner = Console.IsOutputRedirected ? null : Spinner.Start(output, prefix, clock);
            try
            {
                var reason = await step.CheckAsync(context, cancellationToken);
                if (reason is null)
                {
                    await Spinner.StopAsync(spinner);
                    await output.WriteLineAsync($"ok ({clock.Elapsed.TotalSeconds:0.0} s)");
                    continue;
                }
                if (step.VerifiesOnly) throw new ServerException(reason);

                await step.ApplyAsync(context, cancellationToken);
                var after = await step.CheckAsync(context, cancellationToken);
                if (after is not null) throw new ServerException($"still not right after the change: {after}");
                changed.Add(step.Name);
                await Spinner.StopAsync(spinner);
                await output.WriteLineAsync($"changed ({clock.Elapsed.TotalSeconds:0.0} s): {reason}");
            }
            catch (Exception e) when (e is ServerException or IOException or UnauthorizedAccessException or Npgsql.NpgsqlException)
            {
                await Spinner.StopAsync(spinner);
                await output.WriteLineAsync("FAILED");
                throw new UserFacingException(
                    $"step {i + 1} \"{step.Name}\" failed: {e.Message}{Environment.NewLine}" +
                    "Nothing that was already working was removed. Fix the cause and run the same command again; finished steps will report ok.");
            }
        }
        return changed;
    }

    /// <summary>On a terminal, a turning mark and the seconds so far while a step works (package installs take minutes).</summary>
    private sealed class Spinner
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public static Spinner Start(TextWriter output, string prefix, Stopwatch clock)
        {
            var spinner = new Spinner();
            spinner._loop = spinner.RunAsync(output, prefix, clock);
            return spinner;
        }

        public static async Task StopAsync(Spinner? spinner)
        {
            if (spinner is null) return;
            await spinner._stop.CancelAsync();
            await spinner._loop;
            spinner._stop.Dispose();
        }

        private async Task RunAsync(TextWriter output, string prefix, Stopwatch clock)
        {
            const string frames = "|/-\\";
            var frame = 0;
            try
            {
                while (true)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(150), _stop.Token);
                    await output.WriteAsync($"\r{prefix}{frames[frame++ % frames.Length]} {clock.Elapsed.TotalSeconds:0} s ");
                    await output.FlushAsync();
                }
            }
            catch (OperationCanceledException)
            {
                // Clear the mark; the caller writes the step's result after the prefix.
                if (frame > 0) await output.WriteAsync($"\r{prefix}{new string(' ', 12)}\r{prefix}");
            }
        }
    }
}
