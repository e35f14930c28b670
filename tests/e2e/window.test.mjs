// End-to-end test of the real desktop window: Xvfb + tauri-driver + WebKitWebDriver, driven
// with selenium-webdriver. Trains a short run of the tiny fixture model on the bundled sample.
// Runs once per language, the system's language (LANG) choosing the window's: English in the
// light theme, French in the dark one (GTK_THEME); axe-core checks every view of both. A third
// test goes through the wizard, Classify and the comparison with the keyboard alone (English).
//
//   node --test tests/e2e/            (scripts/test.sh builds the app and runs this)
//
// Env: BERT_STUDIO_APP (the app binary, built with --features custom-protocol),
//      E2E_SCREENSHOTS (a folder: a PNG of every step is written there, for looking at).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { Builder, By, Capabilities, Key, until } from "selenium-webdriver";

const root = resolve(import.meta.dirname, "../..");
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const application = process.env.BERT_STUDIO_APP ?? join(targetDir, "debug", "bert-studio-app");
const tinyModel = join(root, "src-tauri/engine/tests/fixtures/tiny-bert");
const screenshotRoot = process.env.E2E_SCREENSHOTS;
const displayBase = 90 + (process.pid % 9) * 2;
const portBase = 4444 + (process.pid % 500) * 2;

// What the window says in each language, where the test reads words, the engine's included
// (the model folder's status, a refused value, the comparison's data note).
const WORDS = {
  en: {
    locale: "en_US.UTF-8",
    theme: "Adwaita",
    train: "Train",
    rowsRead: /3,558 rows read/,
    // The sample's first NACE division, named from the bundled names in the window's language.
    division01: /^01 — Crop and animal production/,
    namesFile: /nace_names_en\.csv$/,
    sameColumns: /text column and the label column must differ/,
    localFolder: "model folder on this computer",
    epochsProblem: /epochs must be between 1 and 1000, not 0/,
    sameRows: /same rows/,
    differentData: /measured on different data/,
    percent: /^\d+\.\d%$/,
    models: (n) => `Models (${n})`,
    epochsDone: /1 of 2 epochs/,
    learningRate: /Learning rate/,
    runTime: /^About \d.* on this computer \(CPU\): training /,
    classifyTime: /^About \d.* on this computer \(CPU\) for 40 rows\.$/,
    delete: "Delete",
  },
  fr: {
    locale: "fr_FR.UTF-8",
    // The second pass also runs in the dark theme, so that contrast is checked in both.
    theme: "Adwaita:dark",
    train: "Entraîner",
    rowsRead: /3\u202f558 lignes lues/,
    division01: /^01 — Culture et production animale/,
    namesFile: /nace_names_fr\.csv$/,
    sameColumns: /colonne des textes et celle des étiquettes doivent être différentes/,
    localFolder: "dossier de modèle sur cet ordinateur",
    epochsProblem: /nombre d'époques \(epochs\) doit être compris entre 1 et 1[ \u00a0\u202f]000, et non 0/,
    sameRows: /mêmes lignes/,
    differentData: /mesurés sur des données différentes/,
    // WebDriver's text turns the no-break space before "%" into a plain one.
    percent: /^\d+,\d[ \u00a0]%$/,
    models: (n) => `Modèles (${n})`,
    epochsDone: /1 époque sur 2/,
    learningRate: /Taux d'apprentissage/,
    runTime: /^Environ \d.* sur cet ordinateur \(CPU\)[ \u00a0]: entraînement /,
    classifyTime: /^Environ \d.* sur cet ordinateur \(CPU\) pour 40 lignes\.$/,
    delete: "Supprimer",
  },
};

const running = new Set();
function startDetached(command, args, env) {
  // Own process group, so that everything it starts (WebKitWebDriver, the app) dies with it.
  const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "ignore", "inherit"] });
  const stop = () => {
    running.delete(stop);
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  };
  running.add(stop);
  return stop;
}
// Killed by `timeout` or Ctrl-C: leave no display, driver or app behind.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    [...running].forEach((stop) => stop());
    process.exit(1);
  });
}

async function waitForPort(p, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${p}/status`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not answer on port ${p}`);
}

const byTest = (id) => By.css(`[data-testid="${id}"]`);

// axe-core, run inside the window on every view: serious and critical findings fail the test.
const axeSource = readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");
const AXE_RUN = `
  const done = arguments[arguments.length - 1];
  window.axe.run(document, { resultTypes: ["violations"] }).then(
    (r) => done(JSON.stringify(r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, where: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) })))),
    (e) => done(JSON.stringify([{ rule: "axe failed", help: String(e) }])),
  );`;

/** A window of the app, on its own virtual display, with its own home (data, settings, cache),
 * driven through tauri-driver; `close` ends it all. The view helpers follow `driver`, which
 * `openWindow` replaces (after the app is killed). */
async function startWindow(language, index, screenshotFolder) {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  const words = WORDS[language];
  const display = `:${displayBase + index}`;
  const port = portBase + index;
  const home = mkdtempSync(join(tmpdir(), "bert-studio-e2e-"));
  const env = {
    ...process.env,
    LANG: words.locale,
    LANGUAGE: language,
    GTK_THEME: words.theme,
    DISPLAY: display,
    WEBKIT_DISABLE_COMPOSITING_MODE: "1",
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_CACHE_HOME: join(home, "cache"),
    XDG_RUNTIME_DIR: join(home, "runtime"),
    HF_HOME: join(home, "hf"),
    HF_HUB_OFFLINE: "1",
  };
  mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
  const stops = [];
  const w = { home, env, driver: null };
  w.close = async () => {
    if (w.driver) await Promise.race([w.driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
    stops.reverse().forEach((stop) => stop());
    rmSync(home, { recursive: true, force: true });
  };
  try {
    stops.push(startDetached("Xvfb", [display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"], env));
    await new Promise((r) => setTimeout(r, 800));
    stops.push(startDetached("tauri-driver", ["--port", String(port), "--native-driver", "/usr/bin/WebKitWebDriver"], env));
    await waitForPort(port, 30_000);

    const capabilities = new Capabilities();
    capabilities.set("tauri:options", { application });
    capabilities.setBrowserName("wry");
    w.openWindow = async () => (w.driver = await new Builder().withCapabilities(capabilities).usingServer(`http://127.0.0.1:${port}/`).build());
    await w.openWindow();
  } catch (e) {
    await w.close();
    throw e;
  }
  // The app of this window (its own data folder), killed as a crash or a power cut would.
  w.killApp = () => {
    const ours = readdirSync("/proc").filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(application) &&
          readFileSync(`/proc/${pid}/environ`, "utf8").includes(`XDG_DATA_HOME=${env.XDG_DATA_HOME}\0`)
        );
      } catch {
        return false;
      }
    });
    assert.ok(ours.length > 0, "the app process");
    ours.forEach((pid) => process.kill(Number(pid), "SIGKILL"));
  };
  w.shot = async (name) => {
    if (!screenshotFolder) return;
    mkdirSync(screenshotFolder, { recursive: true });
    // WebKitWebDriver's screenshot never returns on the Models page until a chart is drawn
    // there; it is skipped after a while rather than stalling the test.
    const image = await Promise.race([w.driver.takeScreenshot(), new Promise((r) => setTimeout(() => r(null), 10_000))]);
    if (image === null) console.error(`screenshot ${name} timed out`);
    else writeFileSync(join(screenshotFolder, `${name}.png`), image, "base64");
  };
  w.find = async (id, ms = 30_000) => w.driver.wait(until.elementLocated(byTest(id)), ms, `no ${id}`);
  // An element's text read inside the page: no element handle that a re-render could make stale.
  w.textOf = (id) => w.driver.executeScript(`return document.querySelector('[data-testid="${id}"]')?.textContent ?? ""`);
  w.checkAccessibility = async (view) => {
    await w.driver.manage().setTimeouts({ script: 60_000 });
    if (!(await w.driver.executeScript("return Boolean(window.axe)"))) await w.driver.executeScript(axeSource);
    const findings = JSON.parse(await w.driver.executeAsyncScript(AXE_RUN));
    assert.deepEqual(findings, [], `accessibility of ${view} (${language})`);
  };
  return w;
}

/** The bundled sample's first 40 texts in a file of another shape (id;description), for Classify. */
function textsToClassify(sample, path) {
  writeFileSync(path, ["id;description", ...sample.slice(1, 41).map((l, i) => `${i + 1};${l.replace(/,[^,]*$/, "").replaceAll(";", " ")}`)].join("\n") + "\n");
}

for (const [index, language] of ["en", "fr"].entries()) {
  const words = WORDS[language];
  const screenshots = screenshotRoot && join(screenshotRoot, language);
  test(`[${language}] train a model by clicking: sample data → columns → tiny model → live chart → result`, { timeout: 600_000 }, async () => {
    const w = await startWindow(language, index, screenshots);
    const { home, env, find, textOf, shot, checkAccessibility, killApp } = w;
    let driver = w.driver;
    const openWindow = w.openWindow;
    // A keyboard-only pass of the same steps is the test after this one.
    const press = (element) => element.click();
    try {
      // 1. Data: the bundled sample, columns guessed, classes counted and charted.
      assert.equal(await (await find("section-train")).getText(), words.train, "the window speaks the system's language");
      await shot("0-start");
      await checkAccessibility("0-start");
      await press(await find("use-sample"));
      await find("preview-table");
      const summary = await find("data-summary", 60_000);
      assert.equal(await (await find("text-column")).getAttribute("value"), "text");
      assert.equal(await (await find("label-column")).getAttribute("value"), "label");
      assert.match(await summary.getText(), words.rowsRead);
      // The sample comes with its division names in the window's language.
      assert.match(await (await find("label-names")).getAttribute("value"), words.namesFile);
      const classes = Number(await (await find("class-sizes")).getAttribute("data-points"));
      assert.ok(classes > 10, `classes charted: ${classes}`);
      await shot("1-data");
      await checkAccessibility("1-data");
      // The sample's classes are very uneven: balanced class weights are suggested, and taken
      // in one click (the runs below are trained with them).
      await press(await find("use-balanced"));
      await find("balanced-on");
      // The same column twice is refused in words; the right one brings the summary back.
      await (await find("label-column")).findElement(By.css('option[value="text"]')).click();
      assert.match(await (await find("error")).getText(), words.sameColumns);
      await (await find("label-column")).findElement(By.css('option[value="label"]')).click();
      await find("data-summary", 60_000);
      await press(await find("data-next"));

      // 2. Model: a model folder typed in.
      const custom = await find("custom-model");
      await custom.sendKeys(tinyModel, Key.ENTER);
      const status = await find("custom-model-status");
      await driver.wait(until.elementTextContains(status, words.localFolder), 10_000);
      await shot("2-model");
      await checkAccessibility("2-model");
      await press(await find("model-next"));

      // 3. Settings: a refused value is explained, then a short run.
      const epochs = await find("field-epochs");
      await epochs.clear();
      await epochs.sendKeys("0");
      const problem = await find("problem-epochs", 10_000);
      assert.match(await problem.getText(), words.epochsProblem);
      assert.equal(await (await find("start-training")).isEnabled(), false);
      await epochs.clear();
      await epochs.sendKeys("1");
      const maxLen = await find("field-max_seq_len");
      await maxLen.clear();
      await maxLen.sendKeys("32");
      await driver.wait(async () => (await driver.executeScript("return document.querySelectorAll('.problem').length")) === 0, 10_000, "problems stay");
      // The time of the run, measured on this computer before it starts.
      await driver.wait(async () => words.runTime.test(await textOf("run-time")), 60_000, "no estimate of the run's time");
      await shot("3-settings");
      await checkAccessibility("3-settings");
      await press(await find("start-training"));

      // 4. Training: the live chart gets points, the backend is shown.
      await find("training-view");
      await driver.wait(
        async () => Number(await (await find("loss-chart")).getAttribute("data-points")) > 0,
        180_000,
        "the loss chart never got a point",
      );
      assert.match(await (await find("backend")).getText(), /CPU/);
      await shot("4-training");
      await checkAccessibility("4-training");

      // 5. Result: metrics, per-class table, confusion matrix; the run is in the library.
      const result = await find("result-view", 300_000);
      const accuracy = await (await find("final-accuracy")).getText();
      assert.match(accuracy, words.percent);
      const perClass = await driver.findElements(By.css('[data-testid="per-class-table"] tbody tr'));
      assert.equal(perClass.length, classes);
      const firstClass = await driver.executeScript(
        "return [...document.querySelectorAll('[data-testid=\"per-class-table\"] tbody td:first-child')].map((td) => td.textContent)",
      );
      assert.ok(firstClass.some((name) => words.division01.test(name)), `classes named: ${firstClass.slice(0, 3)}`);
      assert.ok(await result.isDisplayed());
      await shot("5-result");
      await checkAccessibility("5-result");

      const library = join(env.XDG_DATA_HOME, "org.bertstudio.app", "models");
      const runs = readdirSync(library).filter((n) => !n.startsWith("."));
      assert.equal(runs.length, 1, `library: ${runs}`);

      // 6. A second run (another learning rate, for the comparison), stopped from the training
      //    view once its first epoch is done: it stops, no model is added, its checkpoint stays.
      await press(await find("train-again"));
      const moreEpochs = await find("field-epochs");
      await moreEpochs.clear();
      await moreEpochs.sendKeys("2");
      const rate = await find("field-learning_rate");
      await rate.clear();
      await rate.sendKeys("1e-4");
      await driver.wait(async () => (await driver.executeScript("return document.querySelectorAll('.problem').length")) === 0, 10_000, "problems stay");
      await driver.wait(async () => (await find("start-training")).isEnabled(), 60_000, "Start training stays disabled");
      await press(await find("start-training"));
      // The view may first show the run before (finished, with its points): wait for this one.
      const runStatus = () => driver.executeScript("const v = document.querySelector('[data-testid=\"training-view\"]'); return v ? v.getAttribute('data-status') : null");
      try {
        await driver.wait(async () => ["running", "starting"].includes(await runStatus()), 60_000);
      } catch {
        throw new Error(`the second run did not start (status ${await runStatus()}): ${await driver.executeScript("return document.body.innerText.slice(0, 600)")}`);
      }
      await driver.wait(
        async () => Number(await (await find("validation-chart")).getAttribute("data-points")) > 0,
        180_000,
        "the second run never finished its first epoch",
      );
      await press(await find("cancel-training"));
      await driver.wait(
        async () => (await (await find("training-view")).getAttribute("data-status")) === "cancelled",
        60_000,
        "cancel did not stop the run",
      );
      await find("resumable-note");
      await shot("6-cancelled");
      await checkAccessibility("6-cancelled");
      const stopped = readdirSync(library).filter((n) => !n.startsWith(".") && !runs.includes(n));
      assert.equal(stopped.length, 1, `library: ${readdirSync(library)}`);
      assert.ok(existsSync(join(library, stopped[0], "checkpoints", "epoch-1", "trainer_state.json")));
      assert.ok(!existsSync(join(library, stopped[0], "model.safetensors")));

      // 7. The library offers to resume it. Resumed, it is cut short again, this time by killing
      //    the app (SIGKILL, as a crash or a power cut); the restarted app still offers it, and
      //    resumed once more it finishes into a model like any other, its checkpoints (written
      //    only for resuming) gone.
      const resumeFromLibrary = async () => {
        await press(await find("section-models"));
        assert.equal(await (await find("section-models")).getText(), words.models(1));
        const unfinishedRow = await find(`unfinished-${stopped[0]}`);
        assert.match(await unfinishedRow.getAttribute("textContent"), words.epochsDone);
        await press(await find(`resume-${stopped[0]}`));
        await find("resumed-note", 30_000);
      };
      await resumeFromLibrary();
      killApp();
      await Promise.race([driver.quit().catch(() => {}), new Promise((r) => setTimeout(r, 15_000))]);
      assert.ok(!existsSync(join(library, stopped[0], "model.safetensors")), "killed before the end");
      driver = await openWindow();
      await resumeFromLibrary();
      await find("result-view", 300_000);
      await driver.wait(async () => (await (await find("section-models")).getText()) === words.models(2), 10_000, "library count");
      assert.ok(existsSync(join(library, stopped[0], "model.safetensors")));
      assert.ok(!existsSync(join(library, stopped[0], "checkpoints")));
      const resumedReport = JSON.parse(readFileSync(join(library, stopped[0], "training_report.json"), "utf8"));
      assert.equal(resumedReport.history.filter((e) => e.event === "evaluation").length, 2);

      // 8. Classify: a CSV dropped on the window (the drop event with a real file path) is
      //    classified into <name>_classified.csv beside it; the try-it box answers.
      const sample = readFileSync(join(root, "data/sample/nace_fr.csv"), "utf8").split("\n");
      const toClassify = join(home, "nouvelles activités.csv");
      textsToClassify(sample, toClassify);
      await press(await find("section-classify"));
      await find("classify-view");
      await driver.executeScript(
        "return window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'tauri://drag-drop', payload: { paths: [arguments[0]], position: { x: 20, y: 20 } } })",
        toClassify,
      );
      const card = await find("classify-file", 20_000);
      // The text column is guessed (the longer texts), and can be changed before starting.
      const column = await find("classify-text-column", 20_000);
      await driver.wait(async () => (await column.getAttribute("value")) === "description", 10_000, "text column guess");
      // The time it will take, measured before it starts.
      await driver.wait(async () => words.classifyTime.test(await textOf("classify-estimate")), 60_000, "no estimate of the classification's time");
      await press(await find("classify-start"));
      await driver.wait(async () => (await card.getAttribute("data-status")) === "done", 120_000, "classification did not finish");
      const output = join(home, "nouvelles activités_classified.csv");
      const lines = readFileSync(output, "utf8").trim().split("\n");
      assert.equal(lines[0], "id;description;predicted_label;score;label_2;score_2;label_3;score_3");
      assert.equal(lines.length, 41, "a line per input row, plus the header");
      assert.ok(Number((await (await find("predicted-chart")).getAttribute("data-points"))) > 0);
      await (await find("try-text")).sendKeys("Fabrication de pain et de pâtisserie fraîche");
      await driver.wait(async () => Number((await (await find("try-chart", 30_000)).getAttribute("data-points"))) === 5, 30_000, "try-it");
      // Why: each word typed shaded by its push towards the top label, its number on hover.
      const explained = await find("explained-text", 60_000);
      const shaded = await explained.findElements(By.css(".word"));
      assert.equal(shaded.length, 7, "one span per word typed");
      assert.match(await shaded[0].getAttribute("title"), /(to the score of|au score de) /);
      await shot("7-classify");
      await checkAccessibility("7-classify");

      // 9. The library compares the two runs: best marked, recipe difference shown.
      await press(await find("section-models"));
      const boxes = await driver.findElements(By.css('[data-testid="library-table"] input[type="checkbox"]'));
      assert.equal(boxes.length, 2);
      for (const box of boxes) await press(box);
      await press(await find("compare-selected"));
      const table = await find("compare-table", 30_000);
      const headers = await table.findElements(By.css("thead th"));
      assert.equal(headers.length, 3, "metric + two models");
      assert.equal((await table.findElements(By.css("td.best"))).length, 6, "one best per metric row");
      assert.match(await (await find("recipe-diff")).getAttribute("textContent"), words.learningRate);
      assert.match(await (await find("data-note")).getAttribute("textContent"), words.sameRows);
      await shot("8-compare");
      await checkAccessibility("8-compare");

      // 10. The training file itself dropped on the library as a labelled test file: the error
      //     inspector and the comparison of both models on that one file. (The sample the app
      //     trained on: among its resources, or in the source tree.)
      const testCsv = await driver.executeScript("return window.__TAURI_INTERNALS__.invoke('app_info').then((i) => i.sample_data)");
      const testText = readFileSync(testCsv, "utf8");
      const testRows = sample.slice(1).filter((l) => l.trim()).length;
      await driver.executeScript(
        "return window.__TAURI_INTERNALS__.invoke('plugin:event|emit', { event: 'tauri://drag-drop', payload: { paths: [arguments[0]], position: { x: 20, y: 20 } } })",
        testCsv,
      );
      await driver.wait(until.elementTextContains(await find("test-file"), "nace_fr.csv"), 20_000, "test file not taken");
      assert.equal(await (await find("test-label-column")).getAttribute("value"), "label");
      const firstModel = runs[0];
      await press(await find(`inspect-${firstModel}`));
      const inspector = await find("error-inspector", 60_000);
      const wrongRows = async () => (await inspector.findElements(By.css('[data-testid="misclassified-table"] tbody tr'))).length;
      const allWrong = await wrongRows();
      assert.ok(allWrong >= 2 && allWrong <= testRows, `misclassified rows: ${allWrong} of ${testRows}`);
      // Why a row went wrong; two rows corrected (one relabelled, one left out), kept beside
      // the model; a corrected copy exported. The sample is the app's own file: the copy goes
      // to the app's folder, and the sample stays as it was.
      const lineOf = async (tr) => (await (await tr.findElement(By.css("td"))).getAttribute("textContent")).match(/^\d+/)[0];
      const [rowA, rowB] = (await inspector.findElements(By.css('[data-testid="misclassified-table"] tbody tr'))).slice(0, 2);
      const [lineA, lineB] = [await lineOf(rowA), await lineOf(rowB)];
      await press(await find(`why-${lineA}`));
      await find("row-explained-1", 60_000);
      assert.ok((await (await find("row-explained-0")).findElements(By.css(".word"))).length > 0, "the row's words, shaded");
      const intoView = (element) => driver.executeScript("arguments[0].scrollIntoView({ block: 'center', inline: 'center' })", element);
      const correct = async (line, pick) => {
        // The last column may lie past the table's visible width: into view first.
        const select = await find(`correct-${line}`);
        await intoView(select);
        const options = await select.findElements(By.css("option"));
        await options[pick(options.length)].click();
        await find(`corrected-${line}`, 20_000);
      };
      await correct(lineA, () => 1);
      await correct(lineB, (n) => n - 1);
      await press(await find("export-corrected"));
      await find("exported", 30_000);
      const copies = join(env.XDG_DATA_HOME, "org.bertstudio.app", "copies");
      const copied = readFileSync(join(copies, "nace_fr_corrected.csv"), "utf8").trim().split("\n");
      assert.equal(copied.length, testRows, "the header and every row but the one left out");
      assert.ok(!existsSync(join(dirname(testCsv), "nace_fr_corrected.csv")), "nothing written among the app's files");
      assert.equal(readFileSync(testCsv, "utf8"), testText, "the sample is untouched");
      const kept = JSON.parse(readFileSync(join(library, firstModel, "corrections.json"), "utf8"));
      assert.deepEqual(kept.rows.map((r) => r.correction.kind).sort(), ["exclude", "relabel"]);
      await shot("9-corrected");
      const trueFilter = await find("filter-true");
      const firstTrue = (await trueFilter.findElements(By.css("option")))[1];
      await firstTrue.click();
      assert.ok((await wrongRows()) <= allWrong);
      await shot("9-errors");
      await checkAccessibility("9-errors");
      await press(await find("compare-on-file"));
      await driver.wait(
        async () => /nace_fr\.csv/.test(await (await find("data-note")).getAttribute("textContent")),
        120_000,
        "comparison on the test file",
      );
      assert.match(await (await find("data-note")).getAttribute("textContent"), words.sameRows);

      // 10b. Train again with the corrections: the first model's recipe on a corrected copy of
      //      the file it trained on, said with the copy's place; the new model beside the first
      //      in the comparison, which says the data changed.
      const trainAgain = await find("train-again-corrected");
      await intoView(trainAgain);
      await press(trainAgain);
      const notice = await find("notice", 60_000);
      assert.match(await notice.getAttribute("textContent"), /copies[\\/]nace_fr_corrected-2\.csv/);
      await find("result-view", 300_000);
      await driver.wait(async () => (await (await find("section-models")).getText()) === words.models(3), 10_000, "library count");
      const retrained = readdirSync(library).filter((n) => !n.startsWith(".") && n !== firstModel && n !== stopped[0])[0];
      const retrainedReport = JSON.parse(readFileSync(join(library, retrained, "training_report.json"), "utf8"));
      assert.match(retrainedReport.data.train_file, /copies[\\/]nace_fr_corrected-2\.csv$/);
      assert.equal(retrainedReport.data.rows_read, testRows - 1, "the row left out is left out");
      const firstReport = JSON.parse(readFileSync(join(library, firstModel, "training_report.json"), "utf8"));
      assert.deepEqual(retrainedReport.recipe, firstReport.recipe, "the same recipe");
      await press(await find("section-models"));
      const box = async (id) => driver.findElement(By.css(`[data-testid="model-${id}"] input[type="checkbox"]`));
      if (await (await box(stopped[0])).isSelected()) await press(await box(stopped[0]));
      if (!(await (await box(firstModel)).isSelected())) await press(await box(firstModel));
      await press(await box(retrained));
      await press(await find("compare-selected"));
      await driver.wait(
        async () => words.differentData.test(await (await find("data-note")).getAttribute("textContent")),
        60_000,
        "the comparison of the run and its retrain",
      );
      await shot("9-retrained");
      await checkAccessibility("9-retrained");

      // 11. Rename one model, delete another (after confirming).
      const link = await driver.findElement(By.css(`[data-testid="model-${firstModel}"] .name-cell button`));
      await press(link);
      const nameInput = await driver.findElement(By.css(`[data-testid="model-${firstModel}"] .name-cell input`));
      await nameInput.clear();
      await nameInput.sendKeys("Premier essai", Key.ENTER);
      await shot("10-renamed");
      await driver.wait(async () => (await (await find(`model-${firstModel}`)).getText()).includes("Premier essai"), 10_000, "rename");
      await press(await driver.findElement(By.css(`[data-testid="model-${stopped[0]}"] button.danger`)));
      await press(await driver.findElement(By.xpath(`//div[@role='dialog']//button[text()='${words.delete}']`)));
      await driver.wait(async () => (await (await find("section-models")).getText()) === words.models(2), 10_000, "delete");
      assert.deepEqual(readdirSync(library).filter((n) => !n.startsWith(".")).sort(), [firstModel, retrained].sort());
      const meta = JSON.parse(readFileSync(join(library, firstModel, "library.json"), "utf8"));
      assert.equal(meta.name, "Premier essai");
      const report = JSON.parse(readFileSync(join(library, runs[0], "training_report.json"), "utf8"));
      assert.equal(report.recipe.epochs, 1);
      assert.equal(report.recipe.max_seq_len, 32);
      assert.equal(report.recipe.class_weights, "balanced");
      assert.equal(report.data.classes.length, classes);
      assert.ok(existsSync(join(library, runs[0], "model.safetensors")));
    } catch (e) {
      // Said at once: a window that does not close would otherwise hide it until the timeout.
      console.error(e);
      throw e;
    } finally {
      await w.close();
    }
  });
}

// The same way through the app with the keyboard alone: Tab and Shift+Tab to a control, Enter
// or Space on it, arrows in a list, typing in a field; nothing is clicked. The sample, its
// columns, the tiny model's folder typed in, two short runs, a file classified (its path
// typed in) and a text tried, the two runs compared. English; the click test above checks
// the rest (both languages, every view's accessibility).
test("[en] the wizard, classify and compare with the keyboard alone", { timeout: 900_000 }, async () => {
  const words = WORDS.en;
  const w = await startWindow("en", 2, screenshotRoot && join(screenshotRoot, "keyboard"));
  const { home, env, find, textOf, shot } = w;
  const driver = w.driver;
  const keys = (...k) => driver.actions().sendKeys(...k).perform();
  const backTab = () => driver.actions().keyDown(Key.SHIFT).sendKeys(Key.TAB).keyUp(Key.SHIFT).perform();
  // The focused element, in words (for the failure messages), and whether it matches `selector`.
  const FOCUSED = `
    const e = document.activeElement;
    if (!e || e === document.body) return [false, "(nothing: the page's body)"];
    const id = e.getAttribute("data-testid");
    const name = (e.getAttribute("aria-label") || e.textContent || e.getAttribute("placeholder") || "").trim().slice(0, 40);
    return [e.matches(arguments[0]), e.tagName.toLowerCase() + (id ? "[" + id + "]" : "") + (name ? " “" + name + "”" : "")];`;
  /** Tab (or Shift+Tab) until the focused element matches `selector`; fails naming the way taken. */
  const tabTo = async (selector, { backward = false, max = 60 } = {}) => {
    const visited = [];
    for (let i = 0; i < max; i++) {
      await (backward ? backTab() : keys(Key.TAB));
      const [found, what] = await driver.executeScript(FOCUSED, selector);
      if (found) return;
      visited.push(what);
    }
    assert.fail(`${selector} never reached with ${backward ? "Shift+Tab" : "Tab"} in ${max} presses; focus went: ${visited.join(" → ")}`);
  };
  const tabToTest = (id, options) => tabTo(`[data-testid="${id}"]`, options);
  const focusedIs = (selector) => driver.executeScript("return document.activeElement?.matches(arguments[0]) ?? false", selector);
  /** Waits until the focus is in (or on) `selector`: where the page puts it after a change. */
  const focusMovesTo = (selector, what) =>
    driver.wait(() => driver.executeScript("return Boolean(document.activeElement?.closest(arguments[0]))", selector), 10_000, `the focus did not move to ${what}`);
  /** Empties the focused field with End and Backspace, then types `text`. */
  const retype = async (text) => {
    const length = await driver.executeScript("return document.activeElement.value.length");
    await keys(Key.END, ...Array(length).fill(Key.BACK_SPACE), text);
  };
  /** The focused control shows it: an outline or a shadow (the page's, or the browser's own ring). */
  const assertFocusRing = async (what) => {
    const ring = await driver.executeScript(
      "const s = getComputedStyle(document.activeElement); return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0, shadow: s.boxShadow }",
    );
    assert.ok((ring.outline !== "none" && ring.width > 0) || ring.shadow !== "none", `no visible focus on ${what}: ${JSON.stringify(ring)}`);
  };
  /** Tab to the control `id` (once it can be pressed) and press Enter on it. */
  const enter = async (id, options) => {
    await enabled(id);
    await tabToTest(id, options);
    await keys(Key.ENTER);
  };
  /** The view `id` is shown, and its heading has the focus (the control pressed went with the old view). */
  const viewWithFocus = async (id) => {
    await find(id, 60_000);
    await focusMovesTo(`[data-testid="${id}"] h2`, `the heading of ${id}`);
  };
  const enabled = (id) => driver.wait(() => driver.executeScript(`return document.querySelector('[data-testid="${id}"]')?.disabled === false`), 120_000, `${id} never enabled`);
  const noProblems = () => driver.wait(async () => (await driver.executeScript("return document.querySelectorAll('.problem').length")) === 0, 10_000, "problems stay");
  /** Enter on "Start training" (once it can be pressed); the training view, then the result. */
  const trainFromSettings = async (n) => {
    await enter("start-training", { max: 30 });
    // The view changes (a short run on a fast computer may already be over).
    await driver.wait(until.elementLocated(By.css('[data-testid="training-view"], [data-testid="result-view"]')), 120_000, "Enter did not start the run");
    await find("result-view", 300_000);
    await driver.wait(async () => (await textOf("section-models")) === words.models(n), 30_000, `the library never counted ${n} models`);
    // The training view went away with the focus in it: the result's heading has it now.
    await focusMovesTo('[data-testid="result-view"]', "the result");
  };

  try {
    assert.equal(await (await find("section-train")).getText(), words.train);

    // 1. Data: the bundled sample; the label column changed with the arrows (the same column
    //    twice is refused), and back.
    await tabToTest("use-sample");
    await assertFocusRing("the “Use the sample” button");
    await keys(Key.ENTER);
    await find("data-summary", 60_000);
    assert.equal(await (await find("text-column")).getAttribute("value"), "text");
    await focusMovesTo('[data-testid="data-step"]', "the file's page");
    await tabToTest("label-column");
    await assertFocusRing("the label column's list");
    await keys(Key.ARROW_UP);
    await driver.wait(async () => words.sameColumns.test(await textOf("error")), 10_000, "the same column twice was not refused");
    await keys(Key.ARROW_DOWN);
    await driver.wait(async () => (await (await find("label-column")).getAttribute("value")) === "label", 10_000, "label column");
    await find("data-summary", 60_000);
    await shot("1-data");
    await enter("data-next");

    // 2. Model: the tiny model's folder typed in; the step's heading has the focus.
    await viewWithFocus("model-step");
    await tabToTest("custom-model");
    await assertFocusRing("the model field");
    await keys(tinyModel, Key.ENTER);
    await driver.wait(async () => (await textOf("custom-model-status")).includes(words.localFolder), 10_000, "model folder");
    await shot("2-model");
    await enter("model-next");

    // 3. Settings: a short run, typed in; its time measured; started with Enter.
    await viewWithFocus("settings-step");
    await tabToTest("field-epochs");
    await retype("1");
    await tabToTest("field-max_seq_len");
    await retype("32");
    await noProblems();
    await driver.wait(async () => words.runTime.test(await textOf("run-time")), 60_000, "no estimate of the run's time");
    await shot("3-settings");
    await trainFromSettings(1);
    await shot("4-result");

    // 4. A second run with another learning rate (for the comparison), from the result.
    await enter("train-again", { max: 30 });
    await viewWithFocus("settings-step");
    await tabToTest("field-learning_rate");
    await retype("1e-4");
    await noProblems();
    await trainFromSettings(2);

    // 5. Classify: a file's path typed in, its text column guessed, classified with Enter; the
    //    focus stays in its card while its buttons change; then a text typed in the try-it box.
    const sample = readFileSync(join(root, "data/sample/nace_fr.csv"), "utf8").split("\n");
    const toClassify = join(home, "texts-to-classify.csv");
    textsToClassify(sample, toClassify);
    await enter("section-classify", { backward: true });
    await find("classify-view");
    await tabToTest("classify-path");
    await keys(toClassify, Key.ENTER);
    const card = await find("classify-file", 20_000);
    await driver.wait(async () => (await (await find("classify-text-column")).getAttribute("value")) === "description", 20_000, "text column guess");
    await driver.wait(async () => words.classifyTime.test(await textOf("classify-estimate")), 60_000, "no estimate of the classification's time");
    await tabToTest("classify-start");
    await assertFocusRing("the “Classify” button");
    await keys(Key.ENTER);
    await driver.wait(async () => (await card.getAttribute("data-status")) === "done", 120_000, "classification did not finish");
    await focusMovesTo('[data-testid="classify-file"]', "the file's card");
    const lines = readFileSync(join(home, "texts-to-classify_classified.csv"), "utf8").trim().split("\n");
    assert.equal(lines[0], "id;description;predicted_label;score;label_2;score_2;label_3;score_3");
    assert.equal(lines.length, 41, "a line per input row, plus the header");
    await tabToTest("try-text", { backward: true });
    await keys("Fabrication de pain et de patisserie fraiche");
    await driver.wait(async () => Number(await (await find("try-chart", 30_000)).getAttribute("data-points")) === 5, 30_000, "try-it");
    await shot("5-classify");

    // 6. Models: both runs ticked with Space, compared with Enter; the focus goes to the
    //    comparison, whose sort is changed with Enter too.
    await enter("section-models", { backward: true });
    await find("library-table");
    const library = join(env.XDG_DATA_HOME, "org.bertstudio.app", "models");
    const runs = readdirSync(library).filter((n) => !n.startsWith("."));
    assert.equal(runs.length, 2, `library: ${runs}`);
    for (const run of runs) {
      const box = `[data-testid="model-${run}"] input[type="checkbox"]`;
      await tabTo(box);
      await assertFocusRing(`the checkbox of ${run}`);
      await keys(Key.SPACE);
      assert.equal(await driver.executeScript("return document.querySelector(arguments[0]).checked", box), true, `${run} ticked`);
    }
    await enter("compare-selected", { backward: true });
    const table = await find("compare-table", 30_000);
    assert.equal((await table.findElements(By.css("thead th"))).length, 3, "metric + two models");
    assert.ok((await table.findElements(By.css("tbody tr"))).length > 0, "metric rows");
    assert.match(await (await find("recipe-diff")).getAttribute("textContent"), words.learningRate);
    await focusMovesTo('[data-testid="compare-view"]', "the comparison");
    const byLabel = '[data-testid="compare-view"] .segmented button:not(.on)';
    await tabTo(byLabel);
    await keys(Key.ENTER);
    await driver.wait(
      () => driver.executeScript("return document.querySelector('[data-testid=\"compare-view\"] .segmented button:last-child').classList.contains('on')"),
      10_000,
      "the comparison's sort did not change",
    );
    assert.ok(await focusedIs('[data-testid="compare-view"] .segmented button'), "the focus stays on the sort");
    await shot("6-compare");

    // 7. Several settings tried at once: two learning rates, three passes each, from the
    //    settings; cancelled once the first run has a checkpoint, the search is listed among
    //    the unfinished ones and goes on as a whole from there; the runs' table with the best
    //    marked, then the two runs side by side.
    await enter("section-train", { backward: true });
    await enter("train-again", { max: 40 });
    await viewWithFocus("settings-step");
    await tabTo('[data-testid="search-setup"] summary');
    await keys(Key.ENTER);
    await tabToTest("search-rates");
    await retype("2e-3 5e-4");
    await tabToTest("search-epochs");
    await retype("3");
    await driver.wait(async () => /^2 runs,/.test(await textOf("search-time")), 10_000, "the search's runs are not counted");
    await enter("start-search");
    await find("search-trials", 60_000);
    const searchStatus = () => driver.executeScript("return document.querySelector('[data-testid=\"search-trials\"]')?.getAttribute('data-status')");
    // The focus waits on "Cancel" while the first pass runs, so that Enter lands at once.
    await tabToTest("cancel-training", { max: 40 });
    await driver.wait(
      async () => Number(await (await find("validation-chart", 60_000)).getAttribute("data-points")) > 0,
      180_000,
      "the search's first run never finished its first pass",
    );
    assert.ok(await focusedIs('[data-testid="cancel-training"]'), "the focus stays on Cancel");
    await keys(Key.ENTER);
    await driver.wait(async () => (await searchStatus()) === "cancelled", 60_000, "cancel did not stop the search");
    await enter("section-models", { backward: true, max: 80 });
    const stoppedSearch = await find("unfinished-searches", 30_000);
    assert.match(await stoppedSearch.getAttribute("textContent"), /[01] of 2 runs/);
    await shot("7-search-stopped");
    await tabTo('[data-testid^="resume-search-"]', { max: 40 });
    await keys(Key.ENTER);
    const trials = await find("search-trials", 60_000);
    await driver.wait(async () => (await searchStatus()) === "finished", 300_000, "the search did not finish once resumed");
    assert.equal((await trials.findElements(By.css("tbody tr"))).length, 2);
    assert.equal((await trials.findElements(By.css("tbody tr.best"))).length, 1, "one best run");
    await driver.wait(async () => (await textOf("section-models")) === words.models(4), 30_000, "the library never counted the search's runs");
    await shot("7-search");
    await enter("compare-trials", { max: 80 });
    const searched = await find("compare-table", 30_000);
    assert.equal((await searched.findElements(By.css("thead th"))).length, 3, "metric + the two runs");
    assert.match(await textOf("best-model"), /^Best by Loss: /, "the runs chose their best model by the loss");
    assert.equal((await searched.findElements(By.css("thead th.best"))).length, 1, "one run marked best");
    assert.match(await (await find("recipe-diff")).getAttribute("textContent"), words.learningRate);
  } catch (e) {
    console.error(e);
    throw e;
  } finally {
    await w.close();
  }
});
