// Every test starts in English (the language the tests' expectations are written in).
import { i18n } from "./index";

void i18n.changeLanguage("en");
