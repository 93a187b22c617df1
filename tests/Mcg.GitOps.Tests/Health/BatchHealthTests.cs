using Mcg.GitOps.Health;
using static Mcg.GitOps.Tests.Health.HealthTestSupport;

namespace Mcg.GitOps.Tests.Health;

public class BatchHealthTests
{
    private static string Job(string status) => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: db-migrate
        spec:
          backoffLimit: 2
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: migrate
                image: migrate:1.4
        status:
          {status}
        """;

    [Fact]
    public void Running_job_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "", Job("""
            active: 1
              startTime: "2024-05-01T10:00:00Z"
            """));
    }

    [Fact]
    public void Completed_job_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "", Job("""
            succeeded: 1
              conditions:
              - type: SuccessCriteriaMet
                status: "True"
              - type: Complete
                status: "True"
            """));
    }

    [Fact]
    public void Failed_job_is_degraded_with_the_condition_message()
    {
        AssertHealth(HealthStatusCode.Degraded, "Job has reached the specified backoff limit", Job("""
            failed: 3
              conditions:
              - type: FailureTarget
                status: "True"
                reason: BackoffLimitExceeded
              - type: Failed
                status: "True"
                reason: BackoffLimitExceeded
                message: Job has reached the specified backoff limit
            """));
    }

    [Fact]
    public void Suspended_job_is_suspended()
    {
        AssertHealth(HealthStatusCode.Suspended, "Job suspended", Job("""
            conditions:
              - type: Suspended
                status: "True"
                reason: JobSuspended
                message: Job suspended
            """));
    }

    [Fact]
    public void Resumed_job_is_healthy_as_upstream_counts_any_suspended_condition_as_complete()
    {
        AssertHealth(HealthStatusCode.Healthy, "Job resumed", Job("""
            conditions:
              - type: Suspended
                status: "False"
                reason: JobResumed
                message: Job resumed
            """));
    }

    private static string CronJob(string suspend, string status) => $"""
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: nightly-backup
        spec:
          schedule: "0 2 * * *"
          suspend: {suspend}
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - name: backup
                    image: backup:2.0
        {status}
        """;

    [Fact]
    public void Suspended_cronjob_is_suspended()
    {
        AssertHealth(HealthStatusCode.Suspended, "CronJob is Suspended", CronJob("true", """
            status:
              lastScheduleTime: "2024-05-01T02:00:00Z"
            """));
    }

    [Fact]
    public void CronJob_without_status_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "Waiting for CronJob", CronJob("false", ""));
    }

    [Fact]
    public void CronJob_never_scheduled_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "CronJob has never run", CronJob("false", "status: {}"));
    }

    [Fact]
    public void CronJob_with_a_running_job_is_progressing()
    {
        AssertHealth(HealthStatusCode.Progressing, "CronJob has active jobs", CronJob("false", """
            status:
              active:
              - apiVersion: batch/v1
                kind: Job
                name: nightly-backup-28577520
                namespace: default
              lastScheduleTime: "2024-05-02T02:00:00Z"
              lastSuccessfulTime: "2024-05-01T02:03:10Z"
            """));
    }

    [Fact]
    public void CronJob_whose_last_run_succeeded_is_healthy()
    {
        AssertHealth(HealthStatusCode.Healthy, "CronJob has run successfully", CronJob("false", """
            status:
              lastScheduleTime: "2024-05-02T02:00:00Z"
              lastSuccessfulTime: "2024-05-02T02:03:10Z"
            """));
    }

    [Fact]
    public void CronJob_whose_last_run_failed_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "CronJob has not run successfully", CronJob("false", """
            status:
              lastScheduleTime: "2024-05-02T02:00:00Z"
              lastSuccessfulTime: "2024-05-01T02:03:10Z"
            """));
    }

    [Fact]
    public void CronJob_that_never_succeeded_is_degraded()
    {
        AssertHealth(HealthStatusCode.Degraded, "CronJob has not run successfully", CronJob("false", """
            status:
              lastScheduleTime: "2024-05-02T02:00:00Z"
            """));
    }
}
