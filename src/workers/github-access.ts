import type { Probot, ProbotOctokit } from "probot";

export type InstallationOctokit = ProbotOctokit;

/** How workers reach GitHub as one installation of the app. */
export interface GitHubAccess {
  octokit(installationId: number): Promise<InstallationOctokit>;
  /** The installation token, for downloads of private repositories' attachments. */
  token(installationId: number): Promise<string>;
}

/** Backed by Probot's app authentication (APP_ID + private key), tokens cached by Probot. */
export class ProbotGitHubAccess implements GitHubAccess {
  constructor(private readonly probot: Probot) {}

  octokit(installationId: number): Promise<InstallationOctokit> {
    return this.probot.auth(installationId);
  }

  async token(installationId: number): Promise<string> {
    const octokit = await this.probot.auth(installationId);
    const auth = (await octokit.auth({ type: "installation" })) as { token: string };
    return auth.token;
  }
}
