using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace NativeHnsw.Backup.Hosting;

/// <summary>Registers the backup scheduler in a host (ASP.NET Core, a worker service, or <c>nhnsw schedule run</c>).</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="BackupSchedulerService"/> as a hosted service, with <see cref="BackupJobExecutor"/>, the meter
    /// <c>NativeHnsw.Backup</c> and <see cref="TimeProvider.System"/> unless the container already has its own.
    /// </summary>
    public static IServiceCollection AddNativeHnswBackups(this IServiceCollection services, Action<BackupSchedulerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new BackupSchedulerOptions();
        configure(options);
        if (options.Policy is null && options.PolicyFile is null)
            throw new ArgumentException("Set BackupSchedulerOptions.Policy or PolicyFile.", nameof(configure));
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBackupJobExecutor>(sp => new BackupJobExecutor(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BackupJobExecutor>>()));
        services.TryAddSingleton(sp => new BackupMetrics(sp.GetService<IMeterFactory>()));
        services.AddSingleton<BackupSchedulerService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackupSchedulerService>());
        return services;
    }
}
